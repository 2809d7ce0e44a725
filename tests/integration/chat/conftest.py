"""Fixtures for chat tests: a chat site with a known origin, served live with a router, and
customers as real python-socketio clients on /chat."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import socketio

from contactcentre.router.client import RoutingClient
from contactcentre.settings import Settings
from contactcentre.store.models import ChatSite
from tests.builders import add_queue
from tests.integration.realtime.live import LiveRouter, LiveServer

SHOP = "https://shop.example.com"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "socketio_channel": f"cc-chat-{uuid.uuid4().hex[:8]}",
            "realtime_grace_seconds": 1.5,
            "heartbeat_seconds": 0.3,
        }
    )


@pytest.fixture
def chat_floor(app: Any, admin: Any, make_user: Callable[..., Any]) -> dict[str, Any]:
    """A Chat queue any agent with the chat skill may answer, and one such agent."""
    agent = make_user("agent", skills={"chat": 5})
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        queue = add_queue(
            session, "Chat", expression="skills.chat >= 1", skill="chat", offer_timeout_seconds=60
        )
        RoutingClient(runtime.redis).config_changed(session)
        return {"queue": {"id": queue.id}, "agent": agent, "admin": admin}


@pytest.fixture
def make_site(app: Any) -> Callable[..., ChatSite]:
    def make(**values: Any) -> ChatSite:
        runtime = app.extensions["contactcentre"]
        with runtime.db.session() as session:
            site = ChatSite(
                name=values.pop("name", "Shop"),
                widget_key=values.pop("widget_key", f"wk_{uuid.uuid4().hex[:20]}"),
                allowed_origins=values.pop("allowed_origins", [SHOP]),
                bot_enabled=values.pop("bot_enabled", False),
                **values,
            )
            session.add(site)
            session.commit()
            session.expunge(site)
            return site

    return make


@pytest.fixture
def live(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def live_router(app: Any) -> Iterator[LiveRouter]:
    router = LiveRouter(app.extensions["contactcentre"])
    yield router
    router.stop()


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

    def connect(self, last_seq: int = 0, token: str | None = None) -> None:
        self.sio.connect(
            self.base_url,
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


@pytest.fixture
def customers(live: LiveServer) -> Iterator[Callable[..., Customer]]:
    made: list[Customer] = []

    def make(origin: str = SHOP) -> Customer:
        customer = Customer(live.url, origin)
        made.append(customer)
        return customer

    yield make
    for customer in made:
        customer.close()
