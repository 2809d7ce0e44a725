"""The web app served on a loopback port, the Twilio emulator pointed at it (and it at the
emulator), the router with all its publishers, and a floor of one queue and two agents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from contactcentre.app import create_app
from contactcentre.interactions import event_log
from contactcentre.router.client import RoutingClient
from contactcentre.router.router import Router
from contactcentre.settings import Settings
from contactcentre.store.models import Interaction
from contactcentre.telephony.emulator import Emulator, ServerThread, WebhookPolicy
from tests.builders import add_person, add_plan, add_queue
from tests.integration.realtime.live import LiveRouter
from tests.integration.router.conftest import eventually

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "voice-tests-auth-token-0123456789"
NUMBER = "+15005550006"
CUSTOMER = "+14155550100"
# A Tuesday morning in New York: the default flow's business hours are open.
OPEN_HOURS = datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def policy() -> WebhookPolicy:
    return WebhookPolicy()


@pytest.fixture
def emulator(policy: WebhookPolicy) -> Iterator[Emulator]:
    with Emulator(ACCOUNT_SID, AUTH_TOKEN, time_scale=25, webhook_policy=policy) as emu:
        yield emu


@pytest.fixture
def voice_settings(settings: Settings, emulator: Emulator) -> Settings:
    return settings.model_copy(
        update={
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_api_base_url": emulator.base_url,
            "ivr_fixed_time": OPEN_HOURS,
            "voice_announce_seconds": 1.0,
        }
    )


@pytest.fixture
def voice_app(voice_settings: Settings, redis_client: Any, emulator: Emulator) -> Iterator[Any]:
    """The app on a real port; public_base_url is that port, so Twilio's signed URLs match."""
    holder: dict[str, Any] = {}

    def wsgi(environ: Any, start: Any) -> Any:
        return holder["app"](environ, start)

    server = ServerThread(wsgi)
    settings = voice_settings.model_copy(update={"public_base_url": server.url})
    app = create_app(settings)
    app.config["TESTING"] = True
    holder["app"] = app
    server.start()
    emulator.configure_number(
        NUMBER, server.url + "/twilio/voice", status_callback=server.url + "/twilio/status"
    )
    yield app
    emulator.carrier.shutdown()
    server.stop()
    app.extensions["contactcentre"].close()


@pytest.fixture
def voice_client(voice_app: Any) -> FlaskClient:
    client: FlaskClient = voice_app.test_client()
    return client


@pytest.fixture
def router_threads(voice_app: Any) -> Iterator[Router]:
    """The router process's parts in threads, dialling with the app's own voice context."""
    live = LiveRouter(voice_app.extensions["contactcentre"], voice=voice_app.extensions["voice"])
    yield live.router
    live.stop()


@pytest.fixture
def people(voice_app: Any) -> Callable[..., dict[str, Any]]:
    """Create a user of a role (default agent); returns its id, agent id and bearer headers."""
    counter = iter(range(1, 10_000))

    def make(role: str = "agent") -> dict[str, Any]:
        with voice_app.extensions["contactcentre"].db.session() as session:
            return add_person(session, role, next(counter))

    return make


@pytest.fixture
def floor(voice_app: Any, people: Any, router_threads: Any) -> dict[str, Any]:
    """One queue any agent serves, a plan sending every call there, two agents (not signed in)."""
    admin = people("admin")
    runtime = voice_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        queue = add_queue(session, "Main")
        add_plan(session, "Everything", queue, preferred_agent_seconds=0)
        RoutingClient(runtime.redis).config_changed(session)
        queue_id = queue.id
    return {"admin": admin, "queue": {"id": queue_id}, "agents": [people("agent"), people("agent")]}


def sign_in(client: FlaskClient, agent: dict[str, Any]) -> None:
    """Sign the agent in and wait until routing knows (available, or already offered a call)."""
    response = client.post(
        f"/api/v1/agents/{agent['agent_id']}/state",
        json={"state": "available"},
        headers=agent["headers"],
    )
    assert response.status_code == 202
    url = f"/api/v1/agents/{agent['agent_id']}/state"
    eventually(lambda: client.get(url, headers=agent["headers"]).get_json()["state"] != "offline")


def offer_for(app: Any, agent_id: int) -> str | None:
    redis = app.extensions["contactcentre"].redis
    for key in redis.scan_iter("cc:routing:reservation:*"):
        data = redis.hgetall(key)
        if data.get("agent_id") == str(agent_id) and data.get("state") == "offered":
            return str(key).rsplit(":", 1)[1]
    return None


def accept_offer(app: Any, client: FlaskClient, agent: dict[str, Any]) -> None:
    reservation = eventually(lambda: offer_for(app, agent["agent_id"]), timeout=10)
    response = client.post(f"/api/v1/reservations/{reservation}/accept", headers=agent["headers"])
    assert response.status_code == 202


def event_types(app: Any, interaction_id: str) -> list[str]:
    with app.extensions["contactcentre"].db.session() as session:
        return [e.type for e in event_log.for_interaction(session, interaction_id)]


def events(app: Any, interaction_id: str) -> list[Any]:
    with app.extensions["contactcentre"].db.session() as session:
        return list(event_log.for_interaction(session, interaction_id))


def interaction_for(app: Any, call_sid: str) -> Interaction | None:
    from sqlalchemy import select

    with app.extensions["contactcentre"].db.session() as session:
        found: Interaction | None = session.scalars(
            select(Interaction).where(Interaction.external_id == call_sid)
        ).first()
        return found
