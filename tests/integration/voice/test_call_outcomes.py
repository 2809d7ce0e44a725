"""What Twilio reports back about things the app started: the IVR's transfer to an outside
number (the Dial action's DialCallStatus) and answering-machine detection on dialled customers."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.telephony.emulator import AgentScript, Callee, CallerScript
from tests.integration.realtime.live import eventually
from tests.integration.voice.calls import CUSTOMER, NUMBER, event_types, events, interaction_for

PARTNER = "+15550100200"  # the default flow's partner_transfer number
DIALLED = "+14155550177"


def _partner_caller() -> CallerScript:
    return (
        CallerScript()
        .wait_for_prompt("For English")
        .press("1")
        .wait_for_prompt("partner helpline, press 8")
        .press("8")
    )


def test_answered_ivr_transfer_is_logged_and_the_call_ends(
    voice_app: Any, emulator: Any, floor: Any
) -> None:
    """DialCallStatus=completed: 'transferred' (external, no number) with the dial status, then
    the call completes; routing never sees it."""
    emulator.register_party(PARTNER, Callee("human", ring_seconds=1, talk_seconds=3))
    call = emulator.place_call(CUSTOMER, NUMBER, _partner_caller())
    call.wait_until_over(timeout=10)
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    eventually(lambda: "completed" in event_types(voice_app, interaction.id))
    transferred = next(e for e in events(voice_app, interaction.id) if e.type == "transferred")
    assert transferred.data["dial_status"] == "completed"
    assert transferred.data["external"] is True and transferred.data["source"] == "ivr"
    assert PARTNER not in str(transferred.data)
    kinds = event_types(voice_app, interaction.id)
    assert "queued" not in kinds and "transfer_failed" not in kinds
    assert kinds.index("transferred") < kinds.index("completed")
    assert call.heard("Transferring you")


@pytest.mark.parametrize("mode", ["busy", "no-answer"])
def test_unanswered_ivr_transfer_queues_the_caller_for_an_agent(
    voice_app: Any, emulator: Any, floor: Any, mode: str
) -> None:
    """DialCallStatus busy/no-answer: 'transfer_failed' with the status, the caller is told and
    queued for an agent (hanging up there is an abandon, canceled in routing)."""
    emulator.register_party(PARTNER, Callee(mode, ring_seconds=1))
    caller = _partner_caller().wait_for_prompt("You are number").hang_up()
    call = emulator.place_call(CUSTOMER, NUMBER, caller)
    call.wait_until_over(timeout=15)
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    eventually(lambda: "canceled" in event_types(voice_app, interaction.id), timeout=10)
    failed = next(e for e in events(voice_app, interaction.id) if e.type == "transfer_failed")
    assert failed.data["dial_status"] == mode
    assert failed.data["then"] == "queued"
    assert call.heard("not answering")
    kinds = event_types(voice_app, interaction.id)
    assert "transferred" not in kinds
    assert kinds.index("transfer_failed") < kinds.index("queued") < kinds.index("abandoned")


def _click_to_dial(app: Any, client: Any, emulator: Any, people: Any, callee: Callee) -> Any:
    """An agent dials DIALLED: returns (agent, interaction id, agent leg sid)."""
    agent = people("agent")
    emulator.register_party(f"client:agent_{agent['agent_id']}", AgentScript(answer_after=1))
    emulator.register_party(DIALLED, callee)
    response = client.post("/api/v1/calls", json={"number": DIALLED}, headers=agent["headers"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    return agent, body["interaction_id"], body["call_sid"]


def _customer_leg(emulator: Any) -> Any:
    return eventually(lambda: next((c for c in emulator.calls() if c.to == DIALLED), None))


def test_click_to_dial_connects_a_person_after_machine_detection(
    voice_app: Any, voice_client: Any, emulator: Any, people: Any
) -> None:
    """AnsweredBy=human: 'machine_detection' (human, connected), then the customer joins the
    agent's conference and the call is answered."""
    agent, iid, agent_sid = _click_to_dial(
        voice_app, voice_client, emulator, people, Callee("human", ring_seconds=1)
    )
    eventually(lambda: "answered" in event_types(voice_app, iid), timeout=10)
    leg = _customer_leg(emulator)
    conference = emulator.conference(f"cc-{iid}")
    eventually(lambda: leg.sid in conference.audible_to(agent_sid), timeout=10)
    detected = next(e for e in events(voice_app, iid) if e.type == "machine_detection")
    assert detected.data["answered_by"] == "human" and detected.data["outcome"] == "connected"
    kinds = event_types(voice_app, iid)
    assert kinds.index("machine_detection") < kinds.index("answered")
    voice_client.post(f"/api/v1/calls/{iid}/hangup", headers=agent["headers"])
    leg.wait_until_over(timeout=10)


@pytest.mark.parametrize(
    "case",
    [("machine", "machine_end_beep", "message"), ("fax", "fax", "hung_up")],
    ids=["machine", "fax"],
)
def test_click_to_dial_never_connects_the_agent_to_a_machine(
    voice_app: Any, voice_client: Any, emulator: Any, people: Any, case: tuple[str, str, str]
) -> None:
    """A machine gets the short message after the beep, a fax a hang-up; either way the agent
    never hears it: their leg ends, the outcome is logged and the call completes unanswered."""
    mode, answered_by, outcome = case
    _, iid, agent_sid = _click_to_dial(
        voice_app, voice_client, emulator, people, Callee(mode, ring_seconds=1)
    )
    leg = _customer_leg(emulator)
    leg.wait_until_over(timeout=10)
    emulator.call(agent_sid).wait_until_over(timeout=10)
    eventually(lambda: "completed" in event_types(voice_app, iid), timeout=10)
    detected = next(e for e in events(voice_app, iid) if e.type == "machine_detection")
    assert detected.data["answered_by"] == answered_by
    assert detected.data["outcome"] == outcome
    assert leg.heard("returning your call") is (outcome == "message")
    kinds = event_types(voice_app, iid)
    assert "answered" not in kinds and kinds.count("completed") == 1
    completed = next(e for e in events(voice_app, iid) if e.type == "completed")
    assert completed.data["ended_in"] == "answering_machine"
    conference = emulator.conference(f"cc-{iid}")
    assert conference is None or leg.sid not in conference.audible_to(agent_sid)
