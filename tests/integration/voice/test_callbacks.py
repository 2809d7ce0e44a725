"""Callbacks a routing plan's exit creates: the caller hears the message and hangs up, a new
outbound interaction is routed, and an agent's reservation dials the agent, then the caller."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from contactcentre.store.models import Interaction
from contactcentre.telephony.emulator import AgentScript, Callee, CallerScript
from tests.integration.realtime.live import eventually
from tests.integration.voice.calls import (
    CUSTOMER,
    NUMBER,
    accept_offer,
    event_types,
    events,
    interaction_for,
    sign_in,
    support_caller,
)


def callback_for(app: Any, original_id: str) -> Interaction | None:
    with app.extensions["contactcentre"].db.session() as session:
        for row in session.scalars(select(Interaction).where(Interaction.channel == "outbound")):
            if row.attributes.get("callback_for") == original_id:
                return row
    return None


def dial_back(app: Any, client: Any, emulator: Any, agent: Any, callback_id: str) -> Any:
    """Sign the agent in, accept the callback's offer: the agent's leg rings, then the customer's;
    returns the customer's leg once the two hear each other."""
    emulator.register_party(f"client:agent_{agent['agent_id']}", AgentScript(answer_after=1))
    sign_in(client, agent)
    accept_offer(app, client, agent)
    eventually(lambda: "answered" in event_types(app, callback_id), timeout=10)
    leg = next(c for c in emulator.calls() if c.to == CUSTOMER and c.direction == "outbound-api")
    agent_leg = next(c for c in emulator.calls() if c.to == f"client:agent_{agent['agent_id']}")
    conference = emulator.conference(f"cc-{callback_id}")
    eventually(lambda: leg.sid in conference.audible_to(agent_leg.sid), timeout=10)
    return leg


@pytest.mark.parametrize("exit_by", ["plan_step", "max_wait"])
def test_callback_exit_tells_the_caller_and_dials_back_when_an_agent_is_reserved(
    *,
    voice_app: Any,
    voice_client: Any,
    emulator: Any,
    floor: Any,
    monkeypatch: pytest.MonkeyPatch,
    exit_by: str,
) -> None:
    """A plan step {"exit": "callback"} (or max wait mapped to callback) plays the callback
    message, records callback_requested, and routes a new outbound interaction that dials the
    agent, then the caller, when an agent is reserved."""
    queue_id = floor["queue"]["id"]
    plan: dict[str, Any] = {"name": "Hurry", "filter": 'channel == "voice"', "priority": 10}
    if exit_by == "plan_step":
        plan["steps"] = [{"queue_id": queue_id, "timeout_seconds": 1}, {"exit": "callback"}]
    else:
        plan.update(steps=[{"queue_id": queue_id}], max_wait_seconds=1)
        voice = voice_app.extensions["voice"]
        monkeypatch.setattr(
            voice, "settings", voice.settings.model_copy(update={"voice_max_wait_exit": "callback"})
        )
    created = voice_client.post(
        "/api/v1/routing-plans", json=plan, headers=floor["admin"]["headers"]
    )
    assert created.status_code == 201, created.get_json()
    emulator.register_party(CUSTOMER, Callee("human", ring_seconds=1))

    call = emulator.place_call(CUSTOMER, NUMBER, support_caller())
    call.wait_until_over(timeout=15)
    assert call.heard("We will call you back")
    original = eventually(lambda: interaction_for(voice_app, call.sid))
    eventually(lambda: "callback_requested" in event_types(voice_app, original.id))
    requested = next(e for e in events(voice_app, original.id) if e.type == "callback_requested")
    assert requested.data == {"source": "exit"}
    kinds = event_types(voice_app, original.id)
    assert kinds.index("queued") < kinds.index("exited") < kinds.index("callback_requested")
    assert "abandoned" not in kinds

    callback = eventually(lambda: callback_for(voice_app, original.id))
    assert callback.to_address == CUSTOMER and callback.direction == "outbound"
    eventually(lambda: "queued" in event_types(voice_app, callback.id))
    leg = dial_back(voice_app, voice_client, emulator, floor["agents"][0], callback.id)
    assert leg.from_ == voice_app.extensions["contactcentre"].settings.twilio_caller_id

    agent = floor["agents"][0]
    hung_up = voice_client.post(f"/api/v1/calls/{callback.id}/hangup", headers=agent["headers"])
    assert hung_up.status_code == 200, hung_up.get_json()
    leg.wait_until_over(timeout=10)
    eventually(lambda: "completed" in event_types(voice_app, callback.id))
    kinds = event_types(voice_app, callback.id)
    assert kinds[0] == "created" and kinds.count("completed") == 1
    assert kinds.index("accepted") < kinds.index("answered") < kinds.index("completed")


def test_callback_answered_by_a_machine_never_reaches_the_agent(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """A routed callback answered by a machine: the message is left after the beep, the agent's
    leg drops, 'machine_detection' is logged and routing completes the task once, unanswered."""
    plan = {
        "name": "Hurry",
        "filter": 'channel == "voice"',
        "priority": 10,
        "steps": [{"queue_id": floor["queue"]["id"], "timeout_seconds": 1}, {"exit": "callback"}],
    }
    voice_client.post("/api/v1/routing-plans", json=plan, headers=floor["admin"]["headers"])
    call = emulator.place_call(CUSTOMER, NUMBER, support_caller())
    call.wait_until_over(timeout=15)
    emulator.register_party(CUSTOMER, Callee("machine", ring_seconds=1))
    original = eventually(lambda: interaction_for(voice_app, call.sid))
    callback = eventually(lambda: callback_for(voice_app, original.id), timeout=10)

    agent = floor["agents"][0]
    emulator.register_party(f"client:agent_{agent['agent_id']}", AgentScript(answer_after=1))
    sign_in(voice_client, agent)
    accept_offer(voice_app, voice_client, agent)
    eventually(lambda: "completed" in event_types(voice_app, callback.id), timeout=10)
    leg = next(c for c in emulator.calls() if c.to == CUSTOMER and c.direction == "outbound-api")
    leg.wait_until_over(timeout=10)
    assert leg.heard("returning your call")
    detected = next(e for e in events(voice_app, callback.id) if e.type == "machine_detection")
    assert detected.data["outcome"] == "message"
    kinds = event_types(voice_app, callback.id)
    assert "answered" not in kinds and kinds.count("completed") == 1
    completed = next(e for e in events(voice_app, callback.id) if e.type == "completed")
    assert completed.actor == "router"


def test_booked_callback_slot_is_dialled_by_the_scheduled_job(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, redis_url: str
) -> None:
    """Booking a slot in the IVR schedules an RQ job at the slot's start; the job routes a
    callback (once, however often it runs) that dials the agent, then the customer."""
    from datetime import UTC, datetime

    import redis as redis_lib
    from rq.job import Job
    from rq.registry import ScheduledJobRegistry

    from contactcentre.customers import create_customer
    from contactcentre.customers.schemas import CustomerIn
    from contactcentre.voice.booked_callbacks import QUEUE, dial_booked_callback, job_id

    runtime = voice_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        create_customer(
            session,
            CustomerIn(first_name="Ada", phones=[{"number": CUSTOMER, "primary": True}]),
            runtime.settings,
        )
    caller = (
        CallerScript()
        .wait_for_prompt("For English")
        .press("1")
        .wait_for_prompt("or say account")
        .press("4")
        .wait_for_prompt("To book a callback, press 3")
        .press("3")
        .wait_for_prompt("press 1")
        .press("1")
    )
    call = emulator.place_call(CUSTOMER, NUMBER, caller)
    call.wait_until_over(timeout=15)
    assert call.heard("Your callback is booked")
    original = eventually(lambda: interaction_for(voice_app, call.sid))
    requested = next(e for e in events(voice_app, original.id) if e.type == "callback_requested")
    slot_id = requested.data["slot_id"]

    connection = redis_lib.Redis.from_url(redis_url)
    registry = ScheduledJobRegistry(QUEUE, connection=connection)
    assert registry.get_job_ids() == [job_id(original.id, slot_id)]
    slot_start = datetime.strptime(slot_id, "%Y%m%dT%H%M%z")
    assert registry.get_scheduled_time(job_id(original.id, slot_id)) == slot_start.astimezone(UTC)
    job = Job.fetch(job_id(original.id, slot_id), connection=connection)
    assert job.func is dial_booked_callback

    voice = voice_app.extensions["voice"]
    callback_id = job.func(*job.args, context=voice)
    assert job.func(*job.args, context=voice) == callback_id  # a rerun routes nothing new
    created = events(voice_app, callback_id)[0]
    assert created.data["source"] == "booked" and created.data["slot_id"] == slot_id
    assert created.data["callback_for"] == original.id
    eventually(lambda: "queued" in event_types(voice_app, callback_id))
    leg = dial_back(voice_app, voice_client, emulator, floor["agents"][0], callback_id)
    assert leg.to == CUSTOMER
    assert event_types(voice_app, callback_id).count("queued") == 1
