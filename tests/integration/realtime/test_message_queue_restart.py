"""After a Redis restart, what was published while a web process's Socket.IO listener was away
still reaches its consoles: the listener, subscribed again, tells its sockets to resync, and
they resume from the room's log (pub/sub keeps nothing for a subscriber that is not there)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from contactcentre.app import create_app
from contactcentre.platform.embedded_valkey import EmbeddedValkey
from contactcentre.realtime.emitter import emitter_for
from contactcentre.realtime.message_queue import RESYNC_EVENT
from contactcentre.realtime.rooms import AGENT_NS, agent_room
from contactcentre.settings import Settings
from tests.builders import add_person
from tests.integration.realtime.live import LiveServer, browser, eventually


class ResumingConsole:
    """realtime.js's part that matters here: numbered events per room, and on a resync the
    resume call with the last number seen, whose replay is applied like live events."""

    def __init__(self, room: str, seq: int) -> None:
        self.room, self.last = room, seq
        self.notes: list[str] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.1)
        self.client.on("*", self._event, namespace=AGENT_NS)

    def _event(self, event: str, data: Any = None) -> None:
        if event == RESYNC_EVENT:
            threading.Thread(target=self._resume, daemon=True).start()
            return
        self._apply(data)

    def _resume(self) -> None:
        reply = self.client.call(
            "resume", {"last_seq": {self.room: self.last}}, namespace=AGENT_NS, timeout=10
        )
        for envelope in reply["rooms"][self.room]["events"]:
            self._apply(envelope)

    def _apply(self, envelope: Any) -> None:
        if not isinstance(envelope, dict) or envelope.get("room") != self.room:
            return
        with self.lock:
            if envelope["seq"] == self.last + 1:
                self.last = envelope["seq"]
                self.notes.append(envelope["data"]["text"])


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[EmbeddedValkey]:
    server = EmbeddedValkey(tmp_path / "valkey", persistent=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web(settings: Settings, restartable: EmbeddedValkey) -> Iterator[tuple[Any, LiveServer]]:
    app = create_app(settings.model_copy(update={"redis_url": restartable.url}))
    app.config["TESTING"] = True
    server = LiveServer(app)
    yield app, server
    server.stop()
    app.extensions["contactcentre"].close()


def test_events_published_while_the_listener_was_away_reach_the_console(
    web: tuple[Any, LiveServer], restartable: EmbeddedValkey
) -> None:
    """An event emitted after Redis is back but before the web process has subscribed again
    is lost to pub/sub; the console gets it anyway (it never did before: nothing told it)."""
    app, server = web
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        agent = add_person(session, "agent", 1)
    http = browser(server.url, agent["email"], agent["password"])
    desk = http.get(f"{server.url}/api/v1/agents/{agent['agent_id']}/desk").json()
    console = ResumingConsole(desk["room"], desk["seq"])
    cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    console.client.connect(
        server.url, headers={"Cookie": cookies}, namespaces=[AGENT_NS], transports=["websocket"]
    )
    emitter = emitter_for(runtime)
    room = agent_room(agent["agent_id"])
    try:
        emitter.emit(room, "note", {"text": "before"})
        eventually(lambda: console.notes == ["before"], timeout=10)
        restartable.stop()
        time.sleep(1.5)  # the listener's first retry (after 1 s) finds no Redis; next in 2 s
        restartable.start()
        emitter.emit(room, "note", {"text": "while away"})
        eventually(lambda: console.notes == ["before", "while away"], timeout=20)
    finally:
        console.client.disconnect()


def test_the_listener_ends_when_the_app_closes_with_redis_away(
    web: tuple[Any, LiveServer], restartable: EmbeddedValkey, caplog: pytest.LogCaptureFixture
) -> None:
    """Closed while Redis is unreachable, the listening thread ends, quietly. It used to spin:
    the library unsubscribed on the way out, which raised, and its thread listened again."""
    app, server = web
    manager = app.extensions["socketio"].server.manager
    visitor = socketio.Client(reconnection=False)  # its Engine.IO handshake starts the listener
    with contextlib.suppress(socketio.exceptions.ConnectionError):  # no namespace admits it
        visitor.connect(server.url, transports=["websocket"], wait_timeout=5)
    visitor.disconnect()
    eventually(lambda: getattr(manager, "thread", None) is not None, timeout=10)
    restartable.stop()
    manager.close()
    manager.thread.join(timeout=15)
    assert not manager.thread.is_alive()
    assert "Unexpected Error in pubsub listening thread" not in caplog.text
