"""Fixtures for real-time tests: per-test message-queue channel, live servers, a live router."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contactcentre.app import create_app
from contactcentre.router.client import RoutingClient
from contactcentre.settings import Settings
from tests.builders import billing_queue
from tests.integration.realtime.live import LiveServer


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Each test on its own Socket.IO channel, with a short grace period and fast refreshes."""
    return settings.model_copy(
        update={
            "socketio_channel": f"cc-test-{uuid.uuid4().hex[:8]}",
            # Short, but long enough that a busy CI machine delaying a heartbeat refresh
            # (every 0.3 s) does not pass for a console gone.
            "realtime_grace_seconds": 2.5,
            "heartbeat_seconds": 0.3,
        }
    )


@pytest.fixture
def live_app(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def second_web_process(settings: Settings) -> Iterator[LiveServer]:
    """Another web process: its own app instance on its own port, same Redis and database."""
    other = create_app(settings)
    server = LiveServer(other)
    yield server
    server.stop()
    other.extensions["contactcentre"].close()


@pytest.fixture
def floor(app: Any, admin: Any, make_user: Callable[..., Any]) -> dict[str, Any]:
    """One billing queue (no wrap-up timer) and two agents: a billing expert and a novice."""
    expert = make_user("agent", skills={"billing": 9})
    novice = make_user("agent", skills={"billing": 4})
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        queue = {"id": billing_queue(session, offer_timeout_seconds=60).id}
        RoutingClient(runtime.redis).config_changed(session)
    return {"queue": queue, "expert": expert, "novice": novice, "admin": admin}
