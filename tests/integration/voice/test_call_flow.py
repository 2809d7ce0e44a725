"""Full paths through the emulator with the real router: IVR, queue, agent, transfers, hang-up."""

from __future__ import annotations

from typing import Any

from contactcentre.telephony.emulator import AgentScript
from tests.integration.realtime.live import eventually
from tests.integration.voice.calls import (
    CUSTOMER,
    NUMBER,
    accept_offer,
    agent_leg_sid,
    answered_call,
    event_types,
    events,
    interaction_for,
    sign_in,
    support_caller,
)


def test_call_reaches_an_agent_through_ivr_and_queue(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """A call goes IVR -> queue -> agent conference, and the screen pop attributes are set."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    interaction = interaction_for(voice_app, call.sid)
    assert interaction is not None
    attributes = interaction.attributes
    assert attributes["intent"] == "technical_support"
    assert attributes["language"] == "en"
    assert attributes["caller"] == CUSTOMER
    assert attributes["caller_kind"] == "number"
    assert any(step.startswith("main_menu") for step in attributes["ivr_path"])
    # What the screen pop shows: the path in words (cti.ivr_path).
    assert attributes["ivr_steps"][-2:] == ["Main menu", "Support"]
    kinds = event_types(voice_app, iid)
    assert kinds[0] == "created"
    assert kinds.index("ivr_step") < kinds.index("queued") < kinds.index("offered")
    assert kinds.index("accepted") < kinds.index("answered")


def test_warm_transfer_then_hang_up_logs_every_step_in_order(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Call -> IVR -> queue -> agent -> warm transfer (consult, join, drop) -> hang-up, in order."""
    call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    first, second = floor["agents"]
    emulator.register_party(f"client:agent_{second['agent_id']}", AgentScript(answer_after=1))
    sign_in(voice_client, second)
    url = f"/api/v1/calls/{iid}"
    started = voice_client.post(
        url + "/transfer",
        json={"mode": "warm", "agent_id": second["agent_id"]},
        headers=first["headers"],
    )
    assert started.status_code == 200, started.get_json()
    assert started.get_json()["on_hold"] is True
    consult = eventually(lambda: agent_leg_sid(emulator, second), timeout=10)
    conference = emulator.conference(f"cc-{iid}")
    agent_leg = agent_leg_sid(emulator, first)
    eventually(lambda: consult in conference.audible_to(agent_leg), timeout=10)
    assert call.sid not in conference.audible_to(consult)  # the caller holds during the consult

    done = voice_client.post(url + "/transfer/complete", headers=first["headers"])
    assert done.status_code == 200, done.get_json()
    eventually(lambda: call.sid in conference.audible_to(consult), timeout=10)
    eventually(lambda: emulator.call(agent_leg).is_over, timeout=10)
    accept_offer(voice_app, voice_client, second)  # routing moves the task to the new agent

    hung_up = voice_client.post(url + "/hangup", headers=second["headers"])
    assert hung_up.status_code == 200, hung_up.get_json()
    call.wait_until_over(timeout=10)
    eventually(lambda: "completed" in event_types(voice_app, iid), timeout=10)
    kinds = event_types(voice_app, iid)
    order = [
        "created",
        "ivr_step",
        "queued",
        "offered",
        "accepted",
        "answered",
        "transfer_started",
        "held",
        "transferred",
        "unheld",
        "completed",
    ]
    positions = [kinds.index(kind) for kind in order]
    assert positions == sorted(positions), kinds
    logged = events(voice_app, iid)
    times = [e.occurred_at for e in logged]
    assert times == sorted(times)
    transferred = next(e for e in logged if e.type == "transferred" and e.actor != "router")
    assert transferred.data["to_agent_id"] == second["agent_id"]
    final = interaction_for(voice_app, call.sid)
    assert final is not None and final.agent_id == second["agent_id"]


def test_caller_hanging_up_in_queue_is_an_abandon_with_its_wait(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Nobody staffed: the caller gives up in the queue; 'abandoned' carries the wait, the task
    is canceled in routing."""
    caller = support_caller().wait_for_prompt("You are number").hang_up()
    call = emulator.place_call(CUSTOMER, NUMBER, caller)
    call.wait_until_over(timeout=10)
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    eventually(lambda: "canceled" in event_types(voice_app, interaction.id))
    abandoned = next(e for e in events(voice_app, interaction.id) if e.type == "abandoned")
    assert abandoned.data["wait_seconds"] >= 0
    kinds = event_types(voice_app, interaction.id)
    assert kinds.index("queued") < kinds.index("abandoned")


def test_callback_request_keeps_the_place_and_dials_back(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Pressing the callback key keeps the task first in line; when an agent is reserved the
    agent's leg rings, then the customer is dialled into the conference."""
    early = support_caller().wait_for_prompt("called back").press("1")
    first_call = emulator.place_call(CUSTOMER, NUMBER, early)
    first = eventually(lambda: interaction_for(voice_app, first_call.sid))
    eventually(lambda: "queued" in event_types(voice_app, first.id))
    later = emulator.place_call("+14155550199", NUMBER, support_caller())
    second = eventually(lambda: interaction_for(voice_app, later.sid))
    first_call.wait_until_over(timeout=10)
    assert "callback_requested" in event_types(voice_app, first.id)
    routing = voice_app.extensions["voice"].routing
    eventually(lambda: (routing.estimate(second.id) or {}).get("position") == 2)
    assert routing.estimate(first.id)["position"] == 1
    assert "abandoned" not in event_types(voice_app, first.id)

    agent = floor["agents"][0]
    emulator.register_party(f"client:agent_{agent['agent_id']}", AgentScript(answer_after=1))
    sign_in(voice_client, agent)
    accept_offer(voice_app, voice_client, agent)
    eventually(lambda: "answered" in event_types(voice_app, first.id), timeout=10)
    dialled = [c for c in emulator.calls() if c.to == CUSTOMER and c.sid != first_call.sid]
    assert dialled and dialled[0].direction == "outbound-api"
    eventually(lambda: (routing.estimate(second.id) or {}).get("position") == 1)
