"""The web app served on a loopback port, the Twilio emulator pointed at it (and it at the
emulator), the router with all its publishers, and a floor of one queue and two agents."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from contactcentre.app import create_app
from contactcentre.router.client import RoutingClient
from contactcentre.router.router import Router
from contactcentre.settings import Settings
from contactcentre.telephony.emulator import Emulator, ServerThread, WebhookPolicy
from tests.builders import add_person, add_plan, add_queue
from tests.integration.realtime.live import LiveRouter
from tests.integration.voice.calls import ACCOUNT_SID, AUTH_TOKEN, NUMBER, OPEN_HOURS


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
