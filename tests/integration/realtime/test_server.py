"""How a web process's Socket.IO server is set up: heartbeat timing from the settings, events
handled in order on their socket's own thread."""

from __future__ import annotations

from typing import Any

from contactcentre.app import create_app
from contactcentre.settings import Settings


def test_heartbeat_interval_and_timeout_come_from_the_settings(
    settings: Settings, redis_client: Any
) -> None:
    """CC_REALTIME_PING_SECONDS and CC_REALTIME_PING_TIMEOUT_SECONDS reach Engine.IO apart."""
    app = create_app(
        settings.model_copy(
            update={"realtime_ping_seconds": 7.0, "realtime_ping_timeout_seconds": 3.0}
        )
    )
    try:
        engineio = app.extensions["socketio"].server.eio
        assert (engineio.ping_interval, engineio.ping_timeout) == (7.0, 3.0)
    finally:
        app.extensions["contactcentre"].close()


def test_events_are_handled_on_their_sockets_thread(app: Any) -> None:
    """No thread is started per event: a socket's events run one after another, in order."""
    server = app.extensions["socketio"].server
    assert server.async_handlers is False
    assert server.eio.async_handlers is False
