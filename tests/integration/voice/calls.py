"""Helpers for voice tests: the emulator's numbers, an agent signed in and offered a call, a
call answered through the IVR and queue, and what the event log holds for it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import select

from contactcentre.interactions import event_log
from contactcentre.store.models import Interaction
from contactcentre.telephony.emulator import AgentScript, CallerScript
from tests.integration.realtime.live import eventually

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "voice-tests-auth-token-0123456789"
NUMBER = "+15005550006"
CUSTOMER = "+14155550100"
# A Tuesday morning in New York: the default flow's business hours are open.
OPEN_HOURS = datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("America/New_York"))


def answered_call(app: Any, client: Any, emulator: Any, floor: Any, caller: Any) -> tuple[Any, str]:
    """Call in, choose English and support, get accepted by the first agent and answered."""
    first = floor["agents"][0]
    emulator.register_party(f"client:agent_{first['agent_id']}", AgentScript(answer_after=1))
    sign_in(client, first)
    call = emulator.place_call(CUSTOMER, NUMBER, caller)
    interaction = eventually(lambda: interaction_for(app, call.sid))
    accept_offer(app, client, first)
    eventually(lambda: "answered" in event_types(app, interaction.id), timeout=10)
    conference = eventually(lambda: emulator.conference(f"cc-{interaction.id}"), timeout=10)
    eventually(
        lambda: call.sid in conference.audible_to(agent_leg_sid(emulator, first)), timeout=10
    )
    return call, interaction.id


def agent_leg_sid(emulator: Any, agent: Any) -> str:
    """The call SID of the agent's leg, or "" until it is dialled."""
    legs = [c for c in emulator.calls() if c.to == f"client:agent_{agent['agent_id']}"]
    return legs[0].sid if legs else ""


def support_caller() -> CallerScript:
    """A caller who picks English, then technical support (the main menu's second choice)."""
    return (
        CallerScript()
        .wait_for_prompt("For English")
        .press("1")
        .wait_for_prompt("For billing")
        .press("2")
    )


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
    with app.extensions["contactcentre"].db.session() as session:
        found: Interaction | None = session.scalars(
            select(Interaction).where(Interaction.external_id == call_sid)
        ).first()
        return found
