"""Supervisors on live calls through the emulator and the real twilio SDK: monitor (muted),
whisper (coaching the agent's leg), barge, leave; refusals; the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.store.models import AuditEntry
from contactcentre.telephony.emulator import AgentScript
from tests.integration.realtime.live import eventually
from tests.integration.voice.calls import (
    CUSTOMER,
    NUMBER,
    agent_leg_sid,
    answered_call,
    event_types,
    interaction_for,
    sign_in,
    support_caller,
)


def _supervisor(people: Any, emulator: Any) -> dict[str, Any]:
    """A supervisor (no agent profile) whose softphone answers and stays on the line."""
    boss = people("supervisor")
    emulator.register_party(f"client:supervisor_{boss['id']}", AgentScript(answer_after=1))
    return boss


def _supervise(client: Any, iid: str, who: dict[str, Any], mode: str) -> Any:
    return client.post(
        f"/api/v1/calls/{iid}/supervision", json={"mode": mode}, headers=who["headers"]
    )


def _joined(emulator: Any, iid: str, call_sid: str) -> Any:
    """The conference once the supervisor's participant is connected in it."""
    conference = emulator.conference(f"cc-{iid}")
    eventually(
        lambda: call_sid in conference.participants and conference.participants[call_sid].joined,
        timeout=10,
    )
    return conference


def _audit_actions(app: Any, iid: str) -> list[AuditEntry]:
    with app.extensions["contactcentre"].db.session() as session:
        rows = session.query(AuditEntry).filter_by(target_type="interaction", target_id=iid)
        entries = [r for r in rows.order_by(AuditEntry.id) if r.action.startswith("call.")]
        session.expunge_all()
        return entries


def test_monitor_joins_muted_unannounced_and_unheard(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, people: Any
) -> None:
    """Monitoring adds the supervisor's softphone muted, without a beep or endConferenceOnExit;
    they hear caller and agent, neither hears them, and the call stays the agent's."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    agent = floor["agents"][0]
    boss = _supervisor(people, emulator)

    response = _supervise(voice_client, iid, boss, "monitor")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["mode"] == "monitor" and body["device"] == "softphone"
    leg = emulator.call(body["call_sid"])
    assert leg.to == f"client:supervisor_{boss['id']}"
    conference = _joined(emulator, iid, body["call_sid"])
    participant = conference.participants[body["call_sid"]]
    assert participant.muted and not participant.coaching
    assert participant.beep == "false" and participant.end_conference_on_exit is False
    agent_leg = agent_leg_sid(emulator, agent)
    assert conference.audible_to(body["call_sid"]) == {call.sid, agent_leg}
    assert body["call_sid"] not in conference.audible_to(call.sid)
    assert body["call_sid"] not in conference.audible_to(agent_leg)

    state = voice_client.get(f"/api/v1/calls/{iid}", headers=agent["headers"]).get_json()
    assert {p["role"] for p in state["participants"]} == {"customer", "agent"}
    assert voice_app.extensions["voice"].routing.assigned_agent(iid) == str(agent["agent_id"])
    interaction = interaction_for(voice_app, call.sid)
    assert interaction is not None and interaction.agent_id == agent["agent_id"]
    mine = voice_client.get(f"/api/v1/calls/{iid}/supervision", headers=boss["headers"])
    assert mine.get_json()["mode"] == "monitor"


def test_whisper_is_heard_by_the_agent_only(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, people: Any
) -> None:
    """Whisper turns the same participant into a coach of the agent's leg, unmuted: the agent
    hears the supervisor, the caller does not."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    boss = _supervisor(people, emulator)
    sid = _supervise(voice_client, iid, boss, "monitor").get_json()["call_sid"]
    conference = _joined(emulator, iid, sid)

    response = _supervise(voice_client, iid, boss, "whisper")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "interaction_id": iid,
        "mode": "whisper",
        "call_sid": sid,
        "device": "softphone",
    }
    agent_leg = agent_leg_sid(emulator, floor["agents"][0])
    participant = conference.participants[sid]
    assert participant.coaching and participant.call_sid_to_coach == agent_leg
    assert not participant.muted
    assert sid in conference.audible_to(agent_leg)
    assert sid not in conference.audible_to(call.sid)
    assert call.sid in conference.audible_to(agent_leg)  # the conversation goes on


def test_barge_is_heard_by_everyone_and_monitor_mutes_again(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, people: Any
) -> None:
    """Barge: coaching off, unmuted, caller and agent both hear the supervisor; switching back
    to monitor mutes the same participant."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    boss = _supervisor(people, emulator)
    sid = _supervise(voice_client, iid, boss, "whisper").get_json()["call_sid"]
    conference = _joined(emulator, iid, sid)
    agent_leg = agent_leg_sid(emulator, floor["agents"][0])

    response = _supervise(voice_client, iid, boss, "barge")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["call_sid"] == sid
    participant = conference.participants[sid]
    assert not participant.coaching and not participant.muted
    assert sid in conference.audible_to(agent_leg) and sid in conference.audible_to(call.sid)

    assert _supervise(voice_client, iid, boss, "monitor").get_json()["call_sid"] == sid
    assert sid not in conference.audible_to(agent_leg) | conference.audible_to(call.sid)
    assert len([c for c in emulator.calls() if c.to.startswith("client:supervisor_")]) == 1


def test_leaving_removes_the_participant_and_the_call_goes_on(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, people: Any
) -> None:
    """Leave kicks the supervisor's participant (their leg ends); caller and agent still talk,
    and leaving again is a conflict."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    boss = _supervisor(people, emulator)
    sid = _supervise(voice_client, iid, boss, "barge").get_json()["call_sid"]
    conference = _joined(emulator, iid, sid)

    left = voice_client.delete(f"/api/v1/calls/{iid}/supervision", headers=boss["headers"])
    assert left.status_code == 204
    emulator.call(sid).wait_until_over(timeout=10)
    assert sid not in conference.participants
    agent_leg = agent_leg_sid(emulator, floor["agents"][0])
    assert conference.status == "in-progress" and not call.is_over
    assert call.sid in conference.audible_to(agent_leg)
    assert agent_leg in conference.audible_to(call.sid)
    mine = voice_client.get(f"/api/v1/calls/{iid}/supervision", headers=boss["headers"])
    assert mine.get_json()["mode"] is None
    again = voice_client.delete(f"/api/v1/calls/{iid}/supervision", headers=boss["headers"])
    assert again.status_code == 409
    assert again.get_json()["error"]["field"] == "interaction_id"
    emulator.drain_callbacks()
    assert "completed" not in event_types(voice_app, iid)


def test_the_call_ending_ends_the_supervisor_leg(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, people: Any
) -> None:
    """When the agent hangs up the call, the supervisor's leg ends with it and the supervisor
    is no longer on any call."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    agent = floor["agents"][0]
    boss = _supervisor(people, emulator)
    sid = _supervise(voice_client, iid, boss, "monitor").get_json()["call_sid"]
    _joined(emulator, iid, sid)

    hung_up = voice_client.post(f"/api/v1/calls/{iid}/hangup", headers=agent["headers"])
    assert hung_up.status_code == 200, hung_up.get_json()
    call.wait_until_over(timeout=10)
    emulator.call(sid).wait_until_over(timeout=10)
    emulator.drain_callbacks()
    eventually(lambda: "completed" in event_types(voice_app, iid), timeout=10)
    assert event_types(voice_app, iid).count("completed") == 1
    late = _supervise(voice_client, iid, boss, "barge")
    assert late.status_code == 409


def test_agents_may_not_supervise_calls(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Monitor, whisper, barge, leave and the supervision state need the supervisor role, even
    for the agent handling the call; nothing joins the conference."""
    _, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    url = f"/api/v1/calls/{iid}/supervision"
    for agent in floor["agents"]:
        for mode in ("monitor", "whisper", "barge"):
            response = voice_client.post(url, json={"mode": mode}, headers=agent["headers"])
            assert response.status_code == 403, response.get_json()
            assert response.get_json()["error"]["code"] == "forbidden"
        assert voice_client.delete(url, headers=agent["headers"]).status_code == 403
        assert voice_client.get(url, headers=agent["headers"]).status_code == 403
    assert len(emulator.conference(f"cc-{iid}").participants) == 2
    assert _audit_actions(voice_app, iid) == []


def test_every_supervision_action_is_audited(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, people: Any
) -> None:
    """Each mode change and the leave is an audit entry naming the supervisor, the call leg and
    the agent, in order; a phone number given as the device stays out of it."""
    _, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    boss = people("supervisor")
    emulator.register_party("+14155550177", AgentScript(answer_after=1))
    joined = voice_client.post(
        f"/api/v1/calls/{iid}/supervision",
        json={"mode": "monitor", "device": "(415) 555-0177"},
        headers=boss["headers"],
    )
    assert joined.status_code == 200, joined.get_json()
    sid = joined.get_json()["call_sid"]
    assert joined.get_json()["device"] == "phone"
    assert emulator.call(sid).to == "+14155550177"
    _joined(emulator, iid, sid)
    for mode in ("whisper", "barge"):
        assert _supervise(voice_client, iid, boss, mode).status_code == 200
    assert (
        voice_client.delete(f"/api/v1/calls/{iid}/supervision", headers=boss["headers"]).status_code
        == 204
    )

    entries = _audit_actions(voice_app, iid)
    actions = [e.action for e in entries]
    assert actions == ["call.monitor", "call.whisper", "call.barge", "call.leave"]
    agent_id = str(floor["agents"][0]["agent_id"])
    for entry in entries:
        assert entry.actor_user_id == boss["id"]
        assert entry.details["call_sid"] == sid and entry.details["agent_id"] == agent_id
        # Not "555" anywhere: the call SID, 32 random hex digits, holds it about one run in 140.
        assert "4155550177" not in str(entry.details)
        others = {k: v for k, v in entry.details.items() if k != "call_sid"}
        assert "555" not in str(others)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "shout"}, "mode"),
        ({}, "mode"),
        ({"mode": "monitor", "device": "not a number"}, "device"),
        ({"mode": "monitor", "agent": 1}, "agent"),
    ],
)
def test_bad_supervision_input_is_refused_naming_the_field(
    voice_client: Any, people: Any, body: dict[str, Any], field: str
) -> None:
    """A bad mode, a missing mode, an undialable device or an unknown field is a 422 naming it."""
    boss = people("supervisor")
    response = voice_client.post(
        "/api/v1/calls/abc/supervision", json=body, headers=boss["headers"]
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["field"] == field


def test_unknown_calls_and_calls_without_an_agent_are_refused(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, people: Any
) -> None:
    """An unknown call is 404; a call still waiting in the queue (no agent on it) is 409, both
    naming interaction_id; nothing is dialled."""
    boss = _supervisor(people, emulator)
    unknown = _supervise(voice_client, "nope", boss, "monitor")
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["field"] == "interaction_id"

    call = emulator.place_call(CUSTOMER, NUMBER, support_caller())
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    eventually(lambda: "queued" in event_types(voice_app, interaction.id), timeout=10)
    waiting = _supervise(voice_client, interaction.id, boss, "monitor")
    assert waiting.status_code == 409, waiting.get_json()
    assert waiting.get_json()["error"] == {
        "code": "call_state",
        "message": "the call is queued; only a call connected to an agent can be supervised",
        "field": "interaction_id",
    }
    assert not [c for c in emulator.calls() if c.to.startswith("client:supervisor_")]


def test_a_whisper_follows_the_call_to_the_next_agent_after_a_warm_transfer(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, people: Any
) -> None:
    """When a warm transfer completes, a whispering supervisor coaches the new agent's leg:
    the new agent hears them, the caller still does not."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    first, second = floor["agents"]
    emulator.register_party(f"client:agent_{second['agent_id']}", AgentScript(answer_after=1))
    sign_in(voice_client, second)
    boss = _supervisor(people, emulator)
    sid = _supervise(voice_client, iid, boss, "whisper").get_json()["call_sid"]
    conference = _joined(emulator, iid, sid)
    url = f"/api/v1/calls/{iid}/transfer"
    started = voice_client.post(
        url, json={"mode": "warm", "agent_id": second["agent_id"]}, headers=first["headers"]
    )
    assert started.status_code == 200, started.get_json()
    consult = eventually(lambda: agent_leg_sid(emulator, second), timeout=10)
    eventually(lambda: consult in conference.audible_to(agent_leg_sid(emulator, first)), timeout=10)

    done = voice_client.post(url + "/complete", headers=first["headers"])
    assert done.status_code == 200, done.get_json()
    assert conference.participants[sid].call_sid_to_coach == consult
    assert sid in conference.audible_to(consult) and sid not in conference.audible_to(call.sid)
    assert _supervise(voice_client, iid, boss, "monitor").status_code == 200


def test_a_cold_transfer_ends_the_supervisor_leg(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, people: Any
) -> None:
    """A cold transfer back to the queue ends the conference the supervisor was in: their leg
    ends and they are no longer on the call, which waits for its next agent."""
    _, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    boss = _supervisor(people, emulator)
    sid = _supervise(voice_client, iid, boss, "barge").get_json()["call_sid"]
    _joined(emulator, iid, sid)
    moved = voice_client.post(
        f"/api/v1/calls/{iid}/transfer",
        json={"mode": "cold", "queue_id": floor["queue"]["id"]},
        headers=floor["agents"][0]["headers"],
    )
    assert moved.status_code == 200, moved.get_json()
    emulator.call(sid).wait_until_over(timeout=10)
    mine = voice_client.get(f"/api/v1/calls/{iid}/supervision", headers=boss["headers"])
    assert mine.get_json()["mode"] is None
    assert _supervise(voice_client, iid, boss, "monitor").status_code == 409
