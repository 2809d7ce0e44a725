"""Cold transfers (queue, agent, outside number) and a canceled warm transfer, through the
emulator and the real router: the right events, and routing moves or ends the task once."""

from __future__ import annotations

from typing import Any

from contactcentre.router.client import RoutingClient
from contactcentre.telephony.emulator import AgentScript, Callee
from tests.builders import add_queue
from tests.integration.realtime.live import eventually
from tests.integration.voice.calls import (
    accept_offer,
    agent_leg_sid,
    answered_call,
    event_types,
    events,
    offer_for,
    sign_in,
    support_caller,
)

OUTSIDE = "+14155550188"


def _router_events(app: Any, iid: str, kind: str) -> list[Any]:
    return [e for e in events(app, iid) if e.type == kind and e.actor == "router"]


def _second_agent_ready(client: Any, emulator: Any, floor: Any) -> dict[str, Any]:
    second = floor["agents"][1]
    emulator.register_party(f"client:agent_{second['agent_id']}", AgentScript(answer_after=1))
    sign_in(client, second)
    return second


def _hang_up_and_check_completed_once(
    app: Any, client: Any, agent: Any, call: Any, iid: str
) -> None:
    response = client.post(f"/api/v1/calls/{iid}/hangup", headers=agent["headers"])
    assert response.status_code == 200, response.get_json()
    call.wait_until_over(timeout=10)
    eventually(lambda: "completed" in event_types(app, iid), timeout=10)
    kinds = event_types(app, iid)
    assert kinds.count("completed") == 1 and "canceled" not in kinds, kinds


def test_cold_transfer_to_a_queue_requeues_the_task_for_another_agent(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Cold to a queue: the caller waits again, routing queues the task there once, the next
    agent's answer is logged and the task completes once."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    first = floor["agents"][0]
    runtime = voice_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        escalations = {"id": add_queue(session, "Escalations").id}
        RoutingClient(runtime.redis).config_changed(session)
    second = _second_agent_ready(voice_client, emulator, floor)
    first_leg = agent_leg_sid(emulator, first)

    response = voice_client.post(
        f"/api/v1/calls/{iid}/transfer",
        json={"mode": "cold", "queue_id": escalations["id"]},
        headers=first["headers"],
    )
    assert response.status_code == 200, response.get_json()
    emulator.call(first_leg).wait_until_over(timeout=10)
    eventually(lambda: len(_router_events(voice_app, iid, "queued")) == 2, timeout=10)
    requeued = _router_events(voice_app, iid, "queued")[-1]
    assert str(requeued.data["queue_id"]) == str(escalations["id"])

    accept_offer(voice_app, voice_client, second)
    eventually(lambda: event_types(voice_app, iid).count("answered") == 2, timeout=10)
    room = voice_app.extensions["voice"].calls.get(iid).conference
    assert room != f"cc-{iid}"  # a new room: the old one may still be ending
    conference = eventually(lambda: emulator.conference(room), timeout=10)
    second_leg = agent_leg_sid(emulator, second)
    eventually(lambda: call.sid in conference.audible_to(second_leg), timeout=10)
    transferred = next(
        e for e in events(voice_app, iid) if e.type == "transferred" and e.actor != "router"
    )
    assert transferred.data == {
        "mode": "cold",
        "to_queue_id": escalations["id"],
        "to_agent_id": None,
        "external": False,
    }
    kinds = event_types(voice_app, iid)
    assert kinds.index("transferred") < len(kinds) - 1 - kinds[::-1].index("queued")
    _hang_up_and_check_completed_once(voice_app, voice_client, second, call, iid)


def test_cold_transfer_to_an_agent_offers_the_call_to_that_agent(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Cold to an agent: the first agent is freed, the task is offered to the named agent only,
    whose leg rings into a new conference with the caller."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    first = floor["agents"][0]
    second = _second_agent_ready(voice_client, emulator, floor)
    response = voice_client.post(
        f"/api/v1/calls/{iid}/transfer",
        json={"mode": "cold", "agent_id": second["agent_id"]},
        headers=first["headers"],
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "queued"
    emulator.call(agent_leg_sid(emulator, first)).wait_until_over(timeout=10)
    accept_offer(voice_app, voice_client, second)
    assert offer_for(voice_app, first["agent_id"]) is None
    eventually(lambda: event_types(voice_app, iid).count("answered") == 2, timeout=10)
    answers = [e for e in events(voice_app, iid) if e.type == "answered"]
    assert [a.data["agent_id"] for a in answers] == [
        str(first["agent_id"]),
        str(second["agent_id"]),
    ]
    routed = next(e for e in events(voice_app, iid) if e.type == "transferred")
    assert routed.data["to_agent_id"] == second["agent_id"] and routed.data["mode"] == "cold"
    _hang_up_and_check_completed_once(voice_app, voice_client, second, call, iid)


def test_cold_transfer_to_a_number_hands_the_caller_over_and_ends_the_task(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Cold to an outside number: the caller talks to the outside party, the agent's leg drops,
    routing ends the task once ('transferred'), and the number never reaches the event log."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    first = floor["agents"][0]
    emulator.register_party(OUTSIDE, Callee("human", ring_seconds=1, talk_seconds=5))
    response = voice_client.post(
        f"/api/v1/calls/{iid}/transfer",
        json={"mode": "cold", "number": "(415) 555-0188"},
        headers=first["headers"],
    )
    assert response.status_code == 200, response.get_json()
    outside = eventually(lambda: next((c for c in emulator.calls() if c.to == OUTSIDE), None))
    conference = emulator.conference(f"cc-{iid}")
    eventually(lambda: outside.sid in conference.audible_to(call.sid), timeout=10)
    emulator.call(agent_leg_sid(emulator, first)).wait_until_over(timeout=10)
    eventually(lambda: _router_events(voice_app, iid, "transferred"), timeout=10)

    # The outside party hangs up after talking: the caller's leg ends with it.
    call.wait_until_over(timeout=10)
    emulator.drain_callbacks()
    ours = next(
        e for e in events(voice_app, iid) if e.type == "transferred" and e.actor != "router"
    )
    assert ours.data == {"mode": "cold", "to_queue_id": None, "to_agent_id": None, "external": True}
    assert OUTSIDE not in str([e.data for e in events(voice_app, iid)])
    kinds = event_types(voice_app, iid)
    assert len(_router_events(voice_app, iid, "transferred")) == 1
    assert "completed" not in kinds and "canceled" not in kinds, kinds


def test_canceled_warm_transfer_drops_the_consult_and_returns_the_caller(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Canceling a warm transfer hangs up the consulted agent, unholds the caller, who is back
    with the first agent; routing never moves the task."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    first = floor["agents"][0]
    second = _second_agent_ready(voice_client, emulator, floor)
    url = f"/api/v1/calls/{iid}"
    started = voice_client.post(
        url + "/transfer",
        json={"mode": "warm", "agent_id": second["agent_id"]},
        headers=first["headers"],
    )
    assert started.status_code == 200, started.get_json()
    consult = eventually(lambda: agent_leg_sid(emulator, second), timeout=10)
    conference = emulator.conference(f"cc-{iid}")
    first_leg = agent_leg_sid(emulator, first)
    eventually(lambda: consult in conference.audible_to(first_leg), timeout=10)

    canceled = voice_client.post(url + "/transfer/cancel", headers=first["headers"])
    assert canceled.status_code == 200, canceled.get_json()
    state = canceled.get_json()
    assert state["status"] == "connected" and state["on_hold"] is False
    assert {p["role"] for p in state["participants"]} == {"customer", "agent"}
    emulator.call(consult).wait_until_over(timeout=10)
    eventually(lambda: call.sid in conference.audible_to(first_leg), timeout=10)
    eventually(lambda: "unheld" in event_types(voice_app, iid), timeout=10)
    again = voice_client.post(url + "/transfer/cancel", headers=first["headers"])
    assert again.status_code == 409

    kinds = event_types(voice_app, iid)
    order = ["transfer_started", "held", "transfer_canceled", "unheld"]
    assert [kinds.index(k) for k in order] == sorted(kinds.index(k) for k in order), kinds
    assert "transferred" not in kinds
    canceled_event = next(e for e in events(voice_app, iid) if e.type == "transfer_canceled")
    assert canceled_event.data["to_agent_id"] == second["agent_id"]
    routing = voice_app.extensions["voice"].routing
    assert routing.assigned_agent(iid) == str(first["agent_id"])
    _hang_up_and_check_completed_once(voice_app, voice_client, first, call, iid)
