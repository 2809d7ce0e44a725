"""Fixtures for chat tests: a chat site with a known origin, served live with a router, and
customers as real python-socketio clients on /chat."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contactcentre.router.client import RoutingClient
from contactcentre.settings import Settings
from contactcentre.store.models import ChatSite
from tests.builders import add_queue
from tests.integration.chat.visitors import SHOP, Customer
from tests.integration.realtime.live import LiveServer


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
def customers(live: LiveServer) -> Iterator[Callable[..., Customer]]:
    made: list[Customer] = []

    def make(origin: str = SHOP) -> Customer:
        customer = Customer(live.url, origin)
        made.append(customer)
        return customer

    yield make
    for customer in made:
        customer.close()
