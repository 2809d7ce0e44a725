"""Test helpers: the app served for real on a loopback port, the router's parts, clients.

Real sockets end to end: werkzeug's threaded server, python-socketio clients over websockets.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import socketio
from werkzeug.serving import make_server

from contactcentre.processes.router import build_router_parts


class LiveServer:
    """One web process: the app on 127.0.0.1:<free port>, in a thread, until stop()."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


class LiveRouter:
    """The router process's parts (contactcentre.processes.router) in threads of this one.

    The notify publisher is a thread too; `voice` (the app's voice context) is the one the
    telephony publisher dials agents' legs with, so a test's changes to it reach the router.
    """

    def __init__(self, runtime: Any, *, voice: Any | None = None) -> None:
        parts = build_router_parts(runtime, notify_in_child=False, voice=voice)
        self.router = parts.router
        self.stop_event = threading.Event()
        self._threads = [
            threading.Thread(target=loop, args=(self.stop_event,), name=name, daemon=True)
            for name, loop in parts.loops.items()
        ]
        for thread in self._threads:
            thread.start()
        # Generous for a loaded machine; a router that fails to lead is stopped before the test
        # fails, or it would hold the leader lock against every test after this one.
        if not self.router.is_leader.wait(20):
            self.stop()
            raise AssertionError("router never became leader")

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self._threads:
            thread.join(5)


def browser(base_url: str, email: str, password: str) -> requests.Session:
    """A signed-in browser session (cookie + CSRF token) against a live server."""
    http = requests.Session()
    page = http.get(f"{base_url}/login", timeout=5).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    response = http.post(
        f"{base_url}/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        timeout=5,
        allow_redirects=False,
    )
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    http.headers["X-CSRFToken"] = token.group(1)
    return http


class Listener:
    """A real Socket.IO client that records every numbered event it receives, per room."""

    def __init__(self, reconnection: bool = True) -> None:
        self.client = socketio.Client(reconnection=reconnection, reconnection_delay=0.1)
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.client.on("*", self._record, namespace="*")

    def _record(self, event: str, namespace: str, data: Any = None) -> None:
        if isinstance(data, dict) and "seq" in data:
            with self.lock:
                self.events.append(data)

    def connect(self, base_url: str, http: requests.Session | None, namespace: str) -> None:
        headers = {}
        if http is not None:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        self.client.connect(
            base_url, headers=headers, namespaces=[namespace], transports=["websocket"]
        )

    def of(self, event: str) -> list[dict[str, Any]]:
        with self.lock:
            return [e for e in self.events if e["event"] == event]

    def close(self) -> None:
        self.client.disconnect()


def eventually(check: Callable[[], Any], timeout: float = 8.0) -> Any:
    """Poll until check() is truthy; fail with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(0.02)
        value = check()
    assert value, "condition not met in time"
    return value
