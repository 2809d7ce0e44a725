"""Tests for routing.commands: accept, reject, expiry, wrap-up, cancel, transfer, requeue."""

from __future__ import annotations

import pytest

from routing import effects as fx
from routing import events as ev
from routing.config import CapacityProfile, CrossChannelRule, Queue

from .helpers import engine, of, offered_agent, offers, sign_in, submit


def test_offer_then_accept_assigns_with_waited_seconds() -> None:
    """An accepted offer assigns the task and reports how long it waited."""
    e = engine()
    sign_in(e, "a1")
    rid = offers(submit(e, "t1", now=10))[0].reservation_id
    assert offers(submit(e, "t2", now=12)) == []
    assigned = of(e.apply(ev.OfferAccepted(rid), 15), fx.TaskAssigned)
    assert assigned == [fx.TaskAssigned(rid, "t1", "a1", "support", 5, assigned[0].trace_id)]
    assert e.agent("a1").state == "busy"  # type: ignore[union-attr]


def test_reject_moves_on_and_never_reoffers_the_rejecting_agent() -> None:
    """A rejected offer goes to the next agent; the rejecting agent is skipped for this step."""
    e = engine()
    sign_in(e, "a1", 0)
    sign_in(e, "a2", 1)
    rid = offers(submit(e, "t1", 2))[0].reservation_id
    effects = e.apply(ev.OfferRejected(rid, "busy"), 3)
    assert of(effects, fx.OfferRescinded)[0].reason == "rejected"
    assert offered_agent(effects) == "a2"
    effects = e.apply(ev.OfferRejected(offers(effects)[0].reservation_id), 4)
    assert offers(effects) == []
    assert e.task("t1").status == "waiting"  # type: ignore[union-attr]


def test_offer_expiry_on_tick_moves_on() -> None:
    """An offer not answered by its expiry is rescinded and offered to the next agent."""
    e = engine(Queue("support", offer_timeout_seconds=15))
    sign_in(e, "a1", 0)
    sign_in(e, "a2", 1)
    made = offers(submit(e, "t1", 2))[0]
    assert made.expires_at == 17 and e.next_deadline() == 17
    assert e.apply(ev.Tick(), 16.9) == []
    effects = e.apply(ev.Tick(), 17)
    assert [r.reason for r in of(effects, fx.OfferRescinded)] == ["expired"]
    assert offered_agent(effects) == "a2"


def test_missed_offers_in_a_row_put_the_agent_on_break() -> None:
    """max_missed_offers unanswered offers in a row put the agent on break 'missed_offer'."""
    e = engine(Queue("support", offer_timeout_seconds=10, max_missed_offers=2))
    sign_in(e, "a1")
    submit(e, "t1", 1)
    submit(e, "t2", 1)
    e.apply(ev.Tick(), 11)  # t1 missed; t2 offered next (t1 excluded a1)
    effects = e.apply(ev.Tick(), 21)
    changes = of(effects, fx.AgentStateChanged)
    assert changes[-1].state == "break" and changes[-1].reason == "missed_offer"
    assert e.agent("a1").state == "break"  # type: ignore[union-attr]
    assert offers(effects) == []


def test_accept_resets_the_missed_offer_count() -> None:
    """Accepting an offer clears the run of missed offers."""
    e = engine(Queue("support", offer_timeout_seconds=10, max_missed_offers=2))
    sign_in(e, "a1")
    submit(e, "t1", 1)
    submit(e, "t2", 1)
    effects = e.apply(ev.Tick(), 11)
    e.apply(ev.OfferAccepted(offers(effects)[0].reservation_id), 12)
    assert e.agent("a1").missed_in_row == 0  # type: ignore[union-attr]


def test_wrap_up_blocks_offers_until_the_timer() -> None:
    """After completion the agent wraps up and gets no offer until the wrap-up timer ends."""
    e = engine(Queue("support", wrap_up_seconds=30))
    sign_in(e, "a1")
    rid = offers(submit(e, "t1", 1))[0].reservation_id
    e.apply(ev.OfferAccepted(rid), 2)
    submit(e, "t2", 3)
    effects = e.apply(ev.TaskCompleted("t1"), 10)
    assert of(effects, fx.WrapUpStarted) == [fx.WrapUpStarted("a1", "t1", 40)]
    assert of(effects, fx.TaskEnded)[0].outcome == "completed"
    assert offers(effects) == [] and e.agent("a1").state == "wrap-up"  # type: ignore[union-attr]
    assert offers(e.apply(ev.Tick(), 39)) == []
    assert offered_agent(e.apply(ev.Tick(), 40)) == "a1"


def test_wrap_up_ended_early_frees_the_agent() -> None:
    """WrapUpEnded before the timer frees the agent at once; the stale timer does nothing."""
    e = engine(Queue("support", wrap_up_seconds=30))
    sign_in(e, "a1")
    e.apply(ev.OfferAccepted(offers(submit(e, "t1", 1))[0].reservation_id), 2)
    e.apply(ev.TaskCompleted("t1"), 10)
    submit(e, "t2", 11)
    assert offered_agent(e.apply(ev.WrapUpEnded("a1", "t1"), 12)) == "a1"
    assert e.apply(ev.WrapUpEnded("a1", "t1"), 13) == []


def chat_profile() -> CapacityProfile:
    return CapacityProfile(
        units={"voice": 1, "chat": 1},
        limits={"voice": 1, "chat": 3},
        total_units=None,
        rules=[CrossChannelRule("voice", "chat", 2)],
    )


def test_agent_takes_several_chats_but_no_call_while_two_chats_open() -> None:
    """Offers count as held work: up to three chats, and no call while two chats are open."""
    e = engine()
    e.apply(ev.AgentSignedIn("a1", {"x": 1}, capacity=chat_profile()), 0)
    agents = [offered_agent(submit(e, f"c{n}", 1, channel="chat")) for n in range(4)]
    assert agents == ["a1", "a1", "a1", None]
    assert offered_agent(submit(e, "v1", 2, channel="voice")) is None
    e.apply(ev.TaskCanceled("c0", "customer_left"), 3)  # c3 takes its slot
    e.apply(ev.TaskCanceled("c1", "customer_left"), 3)
    e.apply(ev.TaskCanceled("c3", "customer_left"), 3)
    assert e.agent("a1").held == {"chat": 1, "voice": 1}  # type: ignore[union-attr]


@pytest.mark.parametrize("stage", ["waiting", "offered", "assigned"])
def test_cancel_at_any_stage_ends_the_task_once(stage: str) -> None:
    """A task canceled while waiting, offered or assigned ends exactly once, as 'canceled'."""
    e = engine()
    if stage != "waiting":
        sign_in(e, "a1")
    effects = submit(e, "t1", 1)
    if stage == "assigned":
        e.apply(ev.OfferAccepted(offers(effects)[0].reservation_id), 2)
    effects = e.apply(ev.TaskCanceled("t1", "caller_hangup"), 3)
    assert [x.outcome for x in of(effects, fx.TaskEnded)] == ["canceled"]
    rescinded = [x.reason for x in of(effects, fx.OfferRescinded)]
    assert rescinded == (["canceled"] if stage == "offered" else [])
    assert e.apply(ev.TaskCanceled("t1", "caller_hangup"), 4) == []


def test_transfer_to_queue_and_to_agent() -> None:
    """A transfer re-queues the task in another queue, or holds it for one agent."""
    e = engine(Queue("support"), Queue("sales", expression="team == 'sales'"))
    sign_in(e, "a1", 0)
    e.apply(ev.AgentSignedIn("s1", {"x": 1}, {"team": "sales"}), 1)
    rid = offers(submit(e, "t1", 2))[0].reservation_id
    e.apply(ev.OfferAccepted(rid), 3)
    effects = e.apply(ev.TaskTransferred("t1", to_queue_id="sales", reason="upsell"), 4)
    assert of(effects, fx.TaskQueued)[0].queue_id == "sales"
    assert offered_agent(effects) == "s1"
    e.apply(ev.OfferAccepted(offers(effects)[0].reservation_id), 5)
    effects = e.apply(ev.TaskTransferred("t1", to_agent_id="a1"), 6)
    assert offered_agent(effects) == "a1"


def test_transfer_out_ends_the_task() -> None:
    """A transfer with no target leaves the contact centre: outcome 'transferred_out'."""
    e = engine()
    sign_in(e, "a1")
    e.apply(ev.OfferAccepted(offers(submit(e, "t1", 1))[0].reservation_id), 2)
    effects = e.apply(ev.TaskTransferred("t1", reason="external"), 3)
    assert [x.outcome for x in of(effects, fx.TaskEnded)] == ["transferred_out"]


def test_requeue_puts_an_assigned_task_back_in_its_queue() -> None:
    """A requeued task waits again in its step; the agent is released."""
    e = engine()
    sign_in(e, "a1")
    e.apply(ev.OfferAccepted(offers(submit(e, "t1", 1))[0].reservation_id), 2)
    effects = e.apply(ev.TaskRequeued("t1", "wrong skill"), 3)
    assert of(effects, fx.TaskQueued)[0].task_id == "t1"
    assert offered_agent(effects) == "a1"
