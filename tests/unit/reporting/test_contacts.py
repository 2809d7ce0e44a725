"""Contacts projected from hand-made event logs, then measured by routing/metrics.py."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.reporting.contacts import contact_outcomes
from contactcentre.reporting.ledger import LoggedEvent
from routing.metrics import AverageHandleTime, ContactOutcome, ContactsHandled


def log(channel: str, *steps: tuple[str, float, dict[str, Any]]) -> list[LoggedEvent]:
    return [LoggedEvent("c1", channel, kind, at, data) for kind, at, data in steps]


def one(events: list[LoggedEvent]) -> ContactOutcome:
    (outcome,) = contact_outcomes(events)
    return outcome


# A typical call: queued at 0, accepted at 12, the agent's leg answered at 16 (4 s ringing),
# the customer held from 60 to 80, hung up at 200; the disposition saved at 215.
CALL = log(
    "voice",
    ("queued", 0.0, {"queue_id": 3}),
    ("offered", 1.0, {"agent_id": "7"}),
    ("accepted", 12.0, {"agent_id": "7"}),
    ("answered", 16.0, {"agent_id": "7"}),
    ("held", 60.0, {"role": "customer"}),
    ("unheld", 80.0, {"role": "customer"}),
    ("completed", 200.0, {}),
    ("wrap_up", 200.0, {"agent_id": "7", "ends_at": 230.0}),
    ("disposition", 215.0, {"agent_id": "7", "code": "resolved"}),
)


def test_a_call_is_handled_from_the_agents_answer_to_the_disposition():
    """Talk: from the agent's leg answering to the hang-up, less hold; ACW: to the disposition."""
    call = one(CALL)
    assert (call.queue_id, call.agent_id, call.queued_at, call.answered_at) == ("3", "7", 0, 12)
    assert (call.talk_seconds, call.hold_seconds, call.acw_seconds) == (164, 20, 15)
    assert AverageHandleTime().compute([call]) == 199  # not 203: the 4 s of ringing are out


def test_a_chat_connects_on_accept_and_its_wrap_up_timer_ends_acw():
    """A chat's agent is with the customer on accept; without a disposition the timer ends ACW."""
    chat = one(
        log(
            "chat",
            ("queued", 0.0, {"queue_id": 1}),
            ("accepted", 5.0, {"agent_id": "9"}),
            ("completed", 65.0, {}),
            ("wrap_up", 65.0, {"agent_id": "9", "ends_at": 95.0}),
        )
    )
    assert (chat.talk_seconds, chat.hold_seconds, chat.acw_seconds) == (60, 0, 30)


def test_hanging_up_while_queued_is_an_abandon_not_a_handled_contact():
    """Canceled before any accept: the contact abandoned the queue and nobody handled it."""
    gone = one(log("voice", ("queued", 0.0, {"queue_id": 3}), ("canceled", 30.0, {})))
    assert (gone.abandoned_at, gone.answered_at, gone.agent_id) == (30, None, None)
    assert ContactsHandled().compute([gone]) == 0


def test_hanging_up_after_the_accept_ends_the_contact():
    """Canceled after the accept is the contact's end, not an abandon."""
    call = one(
        log(
            "voice",
            ("queued", 0.0, {"queue_id": 3}),
            ("accepted", 10.0, {"agent_id": "7"}),
            ("answered", 11.0, {"agent_id": "7"}),
            ("canceled", 41.0, {}),
        )
    )
    assert (call.abandoned_at, call.ended_at, call.talk_seconds) == (None, 41, 30)


def test_a_callback_exit_leaves_the_queue_by_callback():
    """A plan's callback exit leaves the queue as a callback, which is not an abandon."""
    asked = one(
        log("voice", ("queued", 0.0, {"queue_id": 3}), ("exited", 90.0, {"exit": "callback"}))
    )
    assert (asked.callback_at, asked.abandoned_at) == (90, None)


def test_a_hold_still_open_at_the_hang_up_counts_to_the_hang_up():
    """A customer on hold when the call ends was held until the end; other roles' holds are not."""
    call = one(
        log(
            "voice",
            ("accepted", 0.0, {"agent_id": "7"}),
            ("answered", 0.0, {"agent_id": "7"}),
            ("held", 10.0, {"role": "consult"}),
            ("held", 50.0, {"role": "customer"}),
            ("completed", 100.0, {}),
            ("unheld", 101.0, {"role": "customer"}),
        )
    )
    assert (call.talk_seconds, call.hold_seconds) == (50, 50)


def test_a_call_that_ended_before_the_agents_leg_answered_had_no_talk():
    """Accepted, rang, caller gone before the agent picked up: handled with zero talk."""
    call = one(
        log(
            "voice",
            ("queued", 0.0, {"queue_id": 3}),
            ("accepted", 10.0, {"agent_id": "7"}),
            ("canceled", 18.0, {}),
        )
    )
    assert (call.ended_at, call.talk_seconds, call.hold_seconds, call.acw_seconds) == (18, 0, 0, 0)


def test_a_contact_accepted_again_is_the_last_agents_from_their_own_answer():
    """Sent back to a queue and accepted by another agent: that agent handled it, from their
    answer; its queue wait still ended at the first accept."""
    call = one(
        log(
            "voice",
            ("queued", 0.0, {"queue_id": 3}),
            ("accepted", 10.0, {"agent_id": "7"}),
            ("answered", 12.0, {"agent_id": "7"}),
            ("queued", 50.0, {"queue_id": 4}),
            ("accepted", 60.0, {"agent_id": "8"}),
            ("answered", 61.0, {"agent_id": "7"}),  # not 8's leg: ignored
            ("answered", 63.0, {"agent_id": "8"}),
            ("completed", 100.0, {}),
        )
    )
    assert (call.agent_id, call.queue_id, call.answered_at, call.talk_seconds) == ("8", "3", 10, 37)


def test_a_contact_queued_before_the_period_is_handled_but_its_wait_not_measured():
    """Accepted in the period but queued before it: handled by the agent, outside service level."""
    late = one(
        log(
            "chat",
            ("accepted", 10.0, {"agent_id": "9"}),
            ("queued", 20.0, {"queue_id": 1}),  # a requeue later on: its wait is not this visit's
            ("accepted", 30.0, {"agent_id": "9"}),
            ("completed", 70.0, {}),
        )
    )
    assert (late.queued_at, late.answered_at, late.ended_at) == (None, 10, 70)
    assert ContactsHandled().compute([late]) == 1


def test_a_contact_in_progress_is_answered_but_has_no_handle_time_yet():
    """Accepted and talking, not ended: no end, no talk counted, and AHT leaves it out."""
    live = one(log("chat", ("accepted", 5.0, {"agent_id": "9"})))
    assert (live.answered_at, live.ended_at, live.talk_seconds) == (5, None, 0)
    assert AverageHandleTime().compute([live]) is None


def test_contacts_without_queue_or_agent_events_are_not_reported():
    """An interaction that only ended (an IVR-only call) is no contact for these figures."""
    assert contact_outcomes(log("voice", ("completed", 40.0, {}))) == []


def test_each_interaction_is_projected_on_its_own():
    """Two interactions' interleaved events make two outcomes."""
    events = [
        LoggedEvent("a", "chat", "accepted", 0.0, {"agent_id": "1"}),
        LoggedEvent("b", "chat", "accepted", 1.0, {"agent_id": "2"}),
        LoggedEvent("a", "chat", "completed", 10.0, {}),
        LoggedEvent("b", "chat", "completed", 31.0, {}),
    ]
    talk = {o.contact_id: o.talk_seconds for o in contact_outcomes(events)}
    assert talk == pytest.approx({"a": 10.0, "b": 30.0})


def test_a_chat_pairs_each_customer_turn_with_the_human_reply_bots_excluded():
    """Responses: the oldest unanswered customer message to the next agent reply; a bot's
    reply answers nobody."""
    chat = log(
        "chat",
        ("created", 0.0, {"channel": "chat"}),
        ("message_in", 1.0, {"by": "customer"}),
        ("message_out", 2.0, {"by": "bot"}),
        ("queued", 3.0, {"queue_id": 1}),
        ("accepted", 10.0, {"agent_id": "4"}),
        ("message_in", 11.0, {"by": "customer"}),
        ("message_out", 31.0, {"by": "agent"}),
        ("message_in", 40.0, {"by": "customer"}),
        ("message_out", 50.0, {"by": "agent"}),
        ("completed", 60.0, {}),
    )
    outcome = one(chat)
    assert outcome.responses == ((1.0, 31.0), (40.0, 50.0))
    assert (outcome.customer_message_at, outcome.first_human_reply_at) == (1.0, 31.0)
    assert outcome.arrived_at == 0.0


def test_surveys_disposition_transfer_and_callback_are_projected():
    """CSAT and CES from survey events, the disposition's FCR flag, a transfer, a callback."""
    steps = log(
        "outbound",
        ("created", 0.0, {"callback_for": "orig-1"}),
        ("queued", 0.0, {"queue_id": 1}),
        ("accepted", 5.0, {"agent_id": "4"}),
        ("transferred", 30.0, {}),
        ("accepted", 35.0, {"agent_id": "5"}),
        ("completed", 90.0, {}),
        ("disposition", 95.0, {"code": "fixed", "resolved": True, "agent_id": "5"}),
        ("survey", 100.0, {"score": 4, "scale": 5}),
        ("survey", 101.0, {"score": 2, "scale": 7, "kind": "ces"}),
    )
    outcome = one(steps)
    assert (outcome.csat, outcome.ces) == (4, 2)
    assert (outcome.disposition, outcome.resolved, outcome.transferred) == ("fixed", True, True)
    assert (outcome.callback_for, outcome.agent_id) == ("orig-1", "5")
