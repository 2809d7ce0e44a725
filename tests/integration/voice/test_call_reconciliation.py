"""A call whose callbacks were lost (the web process died with them in flight) is reconciled
with the carrier by the router's sweep: the agent's lost join still puts the caller through, a
lost hang-up still ends the call, so no call is left before live for ever."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from contactcentre.settings import Settings
from contactcentre.telephony.emulator import AgentScript, CallerScript
from contactcentre.telephony.port import TelephonyError
from contactcentre.voice import call_state as cs
from contactcentre.voice import hangups, owed_hang_ups
from tests.integration.realtime.live import eventually
from tests.integration.voice.calls import (
    CUSTOMER,
    NUMBER,
    accept_offer,
    agent_leg_sid,
    answered_call,
    event_types,
    interaction_for,
    sign_in,
    support_caller,
)


@pytest.fixture
def voice_settings(voice_settings: Settings) -> Settings:
    """Calls are checked with the carrier after 1 s without news, not 20."""
    return voice_settings.model_copy(update={"voice_reconcile_seconds": 1.0})


def test_a_lost_conference_join_still_puts_the_caller_through(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, policy: Any
) -> None:
    """The join of the agent's leg never reaches the app: the call stays connecting until the
    sweep asks the carrier, hears the agent's leg is up, and brings the caller in; the agent's
    hang-up then works (it was refused with 409 call_state for ever)."""
    agent = floor["agents"][0]
    emulator.register_party(f"client:agent_{agent['agent_id']}", AgentScript(answer_after=1))
    sign_in(voice_client, agent)
    call = emulator.place_call(CUSTOMER, NUMBER, support_caller())
    interaction = eventually(lambda: interaction_for(voice_app, call.sid), timeout=15)
    policy.lose = frozenset({"conference-status"})
    accept_offer(voice_app, voice_client, agent)
    leg = eventually(lambda: agent_leg_sid(emulator, agent), timeout=10)
    emulator.call(leg).wait_for_status("in-progress", timeout=10)
    calls = voice_app.extensions["voice"].calls
    assert calls.get(interaction.id).phase == cs.CONNECTING
    eventually(lambda: "answered" in event_types(voice_app, interaction.id), timeout=20)
    policy.lose = frozenset()
    assert calls.get(interaction.id).phase == cs.CONNECTED
    conference = eventually(lambda: emulator.conference(f"cc-{interaction.id}"), timeout=10)
    eventually(lambda: call.sid in conference.audible_to(leg), timeout=10)
    response = voice_client.post(f"/api/v1/calls/{interaction.id}/hangup", headers=agent["headers"])
    assert response.status_code == 200
    call.wait_until_over(timeout=10)


def test_a_lost_hang_up_in_the_queue_still_ends_the_call(
    voice_app: Any, emulator: Any, floor: Any, policy: Any
) -> None:
    """Nobody is signed in; the caller hangs up in the queue and the completed callback is
    lost: the sweep hears from the carrier that the leg is over and logs the abandon."""
    del floor  # the queue and plan; no agent signs in
    caller = support_caller().wait(4).hang_up()
    assert isinstance(caller, CallerScript)
    call = emulator.place_call(CUSTOMER, NUMBER, caller)
    interaction = eventually(lambda: interaction_for(voice_app, call.sid), timeout=15)
    calls = voice_app.extensions["voice"].calls
    eventually(lambda: calls.get(interaction.id).phase == cs.QUEUED, timeout=15)
    policy.lose = frozenset({"status-completed"})
    call.wait_until_over(timeout=15)
    eventually(lambda: "abandoned" in event_types(voice_app, interaction.id), timeout=20)
    assert calls.get(interaction.id).phase == cs.ENDED
    eventually(lambda: "canceled" in event_types(voice_app, interaction.id), timeout=10)


def test_a_hang_up_in_the_ivr_the_database_refused_is_recorded_later(
    voice_app: Any, emulator: Any, floor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is down when the caller's completed callback comes (its 500 is not sent
    again): the call stays unsettled, and the sweep records the end once the database is back
    (before, the call was marked ended first and its interaction never closed)."""
    del floor
    refused: list[str] = []
    real_finish = hangups._finish

    def finish_once_refused(ctx: Any, iid: str, now: Any, data: Any) -> None:
        if not refused:
            refused.append(iid)
            raise OperationalError("INSERT", {}, Exception("the database is restarting"))
        real_finish(ctx, iid, now, data)

    monkeypatch.setattr(hangups, "_finish", finish_once_refused)
    call = emulator.place_call(
        CUSTOMER, NUMBER, CallerScript().wait_for_prompt("For English").hang_up()
    )
    interaction = eventually(lambda: interaction_for(voice_app, call.sid), timeout=15)
    call.wait_until_over(timeout=15)
    eventually(lambda: refused, timeout=10)
    eventually(lambda: "completed" in event_types(voice_app, interaction.id), timeout=20)
    assert voice_app.extensions["voice"].calls.get(interaction.id).phase == cs.ENDED
    assert interaction_for(voice_app, call.sid).ended_at is not None


def test_a_hang_up_the_carrier_never_got_is_asked_again(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agent hangs up; the call ends on our side, but the request to drop the caller never
    reaches the carrier (as when the web process dies between the two): the router's sweep
    asks again and the caller's leg ends. Before, the caller stayed on the line for good."""
    call, interaction_id = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    telephony = voice_app.extensions["voice"].telephony
    real_hang_up, refused = telephony.hang_up, []

    def unreachable_for_the_caller(call_sid: str) -> None:
        if call_sid == call.sid and not refused:
            refused.append(call_sid)
            raise TelephonyError("connection reset by the carrier's edge")
        real_hang_up(call_sid)

    monkeypatch.setattr(telephony, "hang_up", unreachable_for_the_caller)
    agent = floor["agents"][0]
    response = voice_client.post(f"/api/v1/calls/{interaction_id}/hangup", headers=agent["headers"])
    assert response.status_code == 200
    assert refused == [call.sid]
    assert voice_app.extensions["voice"].calls.get(interaction_id).phase == cs.ENDED
    assert emulator.call(call.sid).status == "in-progress"  # the caller is still on the line
    call.wait_until_over(timeout=30)  # the sweep, once the request's grace has passed
    redis = voice_app.extensions["contactcentre"].redis
    eventually(lambda: redis.zcard(owed_hang_ups.OWED) == 0, timeout=10)  # crossed off


def test_a_hang_up_owed_when_the_process_died_is_done_by_the_sweep(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """What a web process killed mid-way through the agent's hang-up leaves behind: the hang-up
    owed and the call ended on our side, nothing sent to the carrier yet."""
    call, interaction_id = answered_call(voice_app, voice_client, emulator, floor, support_caller())
    ctx = voice_app.extensions["voice"]
    live = ctx.calls.get(interaction_id)
    owed_hang_ups.owe(ctx.redis, live.customer_sid)
    hangups.customer_left(ctx, live, "completed")  # ... and the process dies here
    assert emulator.call(call.sid).status == "in-progress"
    call.wait_until_over(timeout=30)
    assert "completed" in event_types(voice_app, interaction_id)
