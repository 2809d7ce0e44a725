"""A website visitor in chat tests: the pre-chat form over HTTP, then a real python-socketio
client on /chat from the shop's origin."""

from __future__ import annotations

import threading
from typing import Any

import requests
import socketio

SHOP = "https://shop.example.com"  # the origin chat sites in tests allow


class Customer:
    """A website visitor: HTTP for the pre-chat form, a real Socket.IO client on /chat."""

    def __init__(self, base_url: str, origin: str = SHOP) -> None:
        self.base_url = base_url
        self.origin = origin
        self.http = requests.Session()
        self.http.headers["Origin"] = origin
        self.token = ""
        self.conversation_id = ""
        self.started: dict[str, Any] = {}
        self.events: list[tuple[str, Any]] = []
        self.lock = threading.Lock()
        # websocket-client sends its own Origin unless told which: the visitor's page.
        self.sio = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
        self.sio.on("*", self._record, namespace="/chat")
        self.refusal: Any = None
        self.sio.on("connect_error", self._refused, namespace="/chat")

    def _refused(self, data: Any = None) -> None:
        self.refusal = data

    def _record(self, event: str, data: Any = None) -> None:
        if isinstance(data, dict) and "room" in data and "data" in data:
            data = data["data"]
        with self.lock:
            self.events.append((event, data))

    def start(self, key: str, **form: Any) -> requests.Response:
        body = {"widget_key": key, "name": "Ann Visitor", "email": "ann@example.com"}
        body.update(form)
        response = self.http.post(f"{self.base_url}/chat/api/conversations", json=body, timeout=10)
        if response.status_code == 201:
            self.started = response.json()
            self.token = self.started["token"]
            self.conversation_id = self.started["conversation_id"]
        return response

    def connect(
        self, last_seq: int = 0, token: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.sio.connect(
            self.base_url,
            headers=headers or {},
            auth={"token": token if token is not None else self.token, "last_seq": last_seq},
            namespaces=["/chat"],
            transports=["websocket"],
            wait_timeout=10,
        )

    def say(self, body: str, client_id: str | None = None) -> Any:
        return self.sio.call(
            "message", {"body": body, "client_id": client_id}, namespace="/chat", timeout=10
        )

    def of(self, event: str) -> list[Any]:
        with self.lock:
            return [data for name, data in self.events if name == event]

    def messages(self) -> list[dict[str, Any]]:
        """Every message seen, live or in a history batch, deduplicated by seq."""
        seen: dict[int, dict[str, Any]] = {}
        with self.lock:
            for name, data in self.events:
                batch = data.get("messages", []) if name == "history" else [data]
                if name in ("history", "message"):
                    for message in batch:
                        seen[message["seq"]] = message
        return [seen[s] for s in sorted(seen)]

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
