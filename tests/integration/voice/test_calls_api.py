"""/api/v1/calls: the call-control API the agent console uses, against the emulator."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from contactcentre.customers import create_customer
from contactcentre.customers.schemas import CustomerIn
from contactcentre.router.client import RoutingClient
from contactcentre.telephony.emulator import AgentScript, Callee
from tests.builders import add_plan, add_queue
from tests.integration.realtime.live import eventually
from tests.integration.voice.calls import (
    ACCOUNT_SID,
    CUSTOMER,
    NUMBER,
    answered_call,
    event_types,
    events,
    interaction_for,
    support_caller,
)


def test_token_is_a_voice_access_token_for_the_agent(voice_client: Any, people: Any) -> None:
    """GET /calls/token returns a Voice SDK JWT whose identity is agent_<id>."""
    agent = people("agent")
    body = voice_client.get("/api/v1/calls/token", headers=agent["headers"]).get_json()
    assert body["identity"] == f"agent_{agent['agent_id']}"
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["grants"]["identity"] == body["identity"]
    assert "voice" in claims["grants"]
    assert claims["sub"] == ACCOUNT_SID
    assert body["expires_in"] > 0


def test_token_needs_an_agent_profile(voice_client: Any, people: Any) -> None:
    """A supervisor without an agent profile gets 403, not a token."""
    supervisor = people("supervisor")
    response = voice_client.get("/api/v1/calls/token", headers=supervisor["headers"])
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_an_agent"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, None),
        ({"customer_id": 1, "number": "+14155550100"}, None),
        ({"number": "not a number"}, "number"),
        ({"customer_id": 999}, "customer_id"),
        ({"number": "+1415555", "extra": 1}, "extra"),
    ],
)
def test_click_to_dial_rejects_bad_input(
    voice_client: Any, people: Any, body: dict[str, Any], field: str | None
) -> None:
    """Bad click-to-dial input is a 422 naming the field, never a 500."""
    agent = people("agent")
    response = voice_client.post("/api/v1/calls", json=body, headers=agent["headers"])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    if field is not None:
        assert field in (error["field"] or "")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/transfer", {"mode": "warm"}),
        ("/transfer", {"mode": "sideways", "agent_id": 1}),
        ("/transfer", {"mode": "cold", "queue_id": 1, "agent_id": 1}),
        ("/hold", {}),
        ("/hold", {"on": "maybe"}),
    ],
)
def test_call_controls_reject_bad_input(
    voice_client: Any, people: Any, path: str, body: dict[str, Any]
) -> None:
    """Malformed control requests get 422 before anything touches the call."""
    agent = people("agent")
    response = voice_client.post(f"/api/v1/calls/abc{path}", json=body, headers=agent["headers"])
    assert response.status_code == 422


def test_unknown_call_is_404_and_someone_elses_is_403(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Agents control only their own calls; an unknown id is 404."""
    _, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    other = floor["agents"][1]
    assert voice_client.get("/api/v1/calls/nope", headers=other["headers"]).status_code == 404
    response = voice_client.post(
        f"/api/v1/calls/{iid}/hold", json={"on": True}, headers=other["headers"]
    )
    assert response.status_code == 403
    supervisor = floor["admin"]
    assert (
        voice_client.get(f"/api/v1/calls/{iid}", headers=supervisor["headers"]).status_code == 200
    )


def test_hold_mute_and_recording_change_the_call_and_are_logged(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Hold, mute and recording act on the conference and each is an event at its time."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    agent = floor["agents"][0]
    url, h = f"/api/v1/calls/{iid}", agent["headers"]
    state = voice_client.get(url, headers=h).get_json()
    assert state["status"] == "connected" and state["started_at"]
    assert {p["role"] for p in state["participants"]} == {"customer", "agent"}
    conference = emulator.conference(f"cc-{iid}")

    assert voice_client.post(url + "/hold", json={"on": True}, headers=h).get_json()["on_hold"]
    eventually(lambda: conference.audio_of(call.sid) == "hold-music")
    voice_client.post(url + "/hold", json={"on": False}, headers=h)
    assert voice_client.post(url + "/mute", json={"on": True}, headers=h).get_json()["muted"]
    voice_client.post(url + "/mute", json={"on": False}, headers=h)
    recording = voice_client.post(url + "/recording", json={"on": True}, headers=h)
    assert recording.status_code == 200 and recording.get_json()["recording"] is True
    again = voice_client.post(url + "/recording", json={"on": True}, headers=h)
    assert again.status_code == 409
    eventually(lambda: call.heard("may be recorded"))
    assert voice_client.post(url + "/recording", json={"on": False}, headers=h).status_code == 200
    eventually(lambda: "unmuted" in event_types(voice_app, iid))
    kinds = event_types(voice_app, iid)
    for kind in ("held", "unheld", "muted", "unmuted", "recording_started", "recording_stopped"):
        assert kind in kinds, kinds
    assert kinds.index("held") < kinds.index("unheld")
    assert kinds.index("recording_started") < kinds.index("recording_stopped")

    def recorded() -> bool:
        from contactcentre.store.models import Interaction

        with voice_app.extensions["contactcentre"].db.session() as session:
            return bool(session.get(Interaction, iid).attributes.get("recordings"))

    eventually(recorded)


def test_agent_hang_up_completes_the_task(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """The agent hanging up ends the caller's leg and the router completes the task."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    agent = floor["agents"][0]
    assert (
        voice_client.post(f"/api/v1/calls/{iid}/hangup", headers=agent["headers"]).status_code
        == 200
    )
    call.wait_until_over(timeout=10)
    eventually(lambda: "completed" in event_types(voice_app, iid))
    again = voice_client.post(f"/api/v1/calls/{iid}/hangup", headers=agent["headers"])
    assert again.status_code == 409


def test_caller_hang_up_completes_the_task(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """The caller hanging up drops the agent's leg and completes the task."""
    caller = support_caller().wait_for_prompt("Connecting").wait(3).hang_up()
    call, iid = answered_call(voice_app, voice_client, emulator, floor, caller)
    call.wait_until_over(timeout=10)
    eventually(lambda: "completed" in event_types(voice_app, iid))
    agent_leg = next(c for c in emulator.calls() if c.to.startswith("client:agent_"))
    agent_leg.wait_until_over(timeout=10)


def test_click_to_dial_rings_the_agent_then_the_customer(
    voice_app: Any, voice_client: Any, emulator: Any, people: Any
) -> None:
    """POST /calls: the agent's leg first, then the customer with the caller ID, one interaction."""
    agent = people("agent")
    emulator.register_party(f"client:agent_{agent['agent_id']}", AgentScript(answer_after=1))
    emulator.register_party("+14155550177", Callee("human", ring_seconds=1))
    with voice_app.extensions["contactcentre"].db.session() as session:
        customer = create_customer(
            session,
            CustomerIn(first_name="Ada", phones=[{"number": "+1 415 555 0177", "primary": True}]),
            voice_app.extensions["contactcentre"].settings,
        )
        customer_id = customer.id
    # An agent dials a customer they may see (docs/console.md, "Who sees what"): found by search.
    voice_client.get("/api/v1/customers?q=Ada", headers=agent["headers"])
    response = voice_client.post(
        "/api/v1/calls", json={"customer_id": customer_id}, headers=agent["headers"]
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert emulator.call(body["call_sid"]).to == f"client:agent_{agent['agent_id']}"
    eventually(lambda: "answered" in event_types(voice_app, body["interaction_id"]), timeout=10)
    customer_leg = next(c for c in emulator.calls() if c.to == "+14155550177")
    assert customer_leg.from_ == voice_app.extensions["contactcentre"].settings.twilio_caller_id
    conference = emulator.conference(f"cc-{body['interaction_id']}")
    eventually(lambda: customer_leg.sid in conference.audible_to(body["call_sid"]))
    voice_client.post(f"/api/v1/calls/{body['interaction_id']}/hangup", headers=agent["headers"])
    customer_leg.wait_until_over(timeout=10)
    eventually(lambda: "completed" in event_types(voice_app, body["interaction_id"]))
    assert next(e.type for e in events(voice_app, body["interaction_id"])) == "created"


def test_max_wait_sends_the_caller_to_voicemail(
    voice_app: Any, emulator: Any, router_threads: Any
) -> None:
    """A routing plan's max wait exit takes the caller to voicemail; the message is logged."""
    runtime = voice_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        add_plan(session, "Hurry", add_queue(session, "Short"), max_wait_seconds=1)
        RoutingClient(runtime.redis).config_changed(session)
    caller = support_caller().leave_message("please call me about my bill", seconds=3)
    call = emulator.place_call(CUSTOMER, NUMBER, caller)
    call.wait_until_over(timeout=15)
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    eventually(lambda: "voicemail" in event_types(voice_app, interaction.id))
    assert call.heard("leave a message")
    kinds = event_types(voice_app, interaction.id)
    assert kinds.index("queued") < kinds.index("exited") < kinds.index("voicemail")


def test_hold_while_the_caller_is_not_in_the_conference_says_so(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Hold on a customer leg the carrier does not have in the conference (still being moved in,
    or just gone) is 409 call_state in words, not the carrier's raw 404."""
    _call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    agent = floor["agents"][0]
    calls = voice_app.extensions["voice"].calls
    calls.update(iid, customer_sid="CA" + "0" * 32)  # a leg the conference does not hold
    response = voice_client.post(
        f"/api/v1/calls/{iid}/hold", json={"on": True}, headers=agent["headers"]
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "call_state"
    assert "not in the call yet" in error["message"]
    assert "HTTP" not in error["message"] and "CA000" not in error["message"]
