"""Tests for routing.estimate: position and estimated wait time of waiting tasks."""

from __future__ import annotations

from routing import events as ev
from routing.config import CapacityProfile, Queue
from routing.estimate import DEFAULT_HANDLE_SECONDS, HandleTimes, estimate_seconds

from .helpers import engine, offers, sign_in, submit


def test_estimate_is_position_times_handle_time_over_slots() -> None:
    """EWT = position x average handle time / concurrent slots of staffed agents."""
    assert estimate_seconds(3, 120.0, 4) == 90.0
    assert estimate_seconds(1, 120.0, 0) is None


def test_handle_times_average_recent_contacts_per_queue() -> None:
    """The average starts at the default and then follows the queue's recent contacts."""
    times = HandleTimes()
    assert times.average("q") == DEFAULT_HANDLE_SECONDS
    times.record("q", 100)
    times.record("q", 200)
    assert times.average("q") == 150
    assert HandleTimes.from_dict(times.to_dict()).average("q") == 150


def test_engine_reports_position_and_ewt_for_waiting_tasks() -> None:
    """Waiting tasks get their 1-based position and an EWT from the queue's handle times."""
    e = engine(Queue("support", wrap_up_seconds=20))
    sign_in(e, "a1", 0)
    sign_in(e, "a2", 0)
    for n in range(2):
        rid = offers(submit(e, f"done{n}", 0))[0].reservation_id
        e.apply(ev.OfferAccepted(rid), 0)
        e.apply(ev.TaskCompleted(f"done{n}"), 40)  # 40 s talk + 20 s wrap-up = 60 s
        e.apply(ev.WrapUpEnded(f"a{n + 1}", f"done{n}"), 41)
    for n in range(2):
        e.apply(ev.OfferAccepted(offers(submit(e, f"busy{n}", 50))[0].reservation_id), 50)
    submit(e, "t1", 60)
    submit(e, "t2", 61)
    estimate = e.estimated_wait("t2")
    assert estimate is not None
    assert (estimate.position, estimate.ewt_seconds) == (2, 60.0)
    waiting = e.waiting("support")
    assert [(w.task_id, w.position, w.ewt_seconds) for w in waiting] == [
        ("t1", 1, 30.0),
        ("t2", 2, 60.0),
    ]
    assert waiting[0].age_seconds == 1


def test_chat_slots_count_each_concurrent_chat() -> None:
    """An agent who may hold three chats counts as three slots for chat EWT."""
    profile = CapacityProfile(units={"chat": 1}, limits={"chat": 3}, total_units=None)
    e = engine()
    e.apply(ev.AgentSignedIn("a1", {"x": 1}, capacity=profile), 0)
    for n in range(4):
        submit(e, f"c{n}", 1, channel="chat")
    estimate = e.estimated_wait("c3")
    assert estimate is not None and estimate.ewt_seconds == DEFAULT_HANDLE_SECONDS / 3


def test_no_staffed_agent_means_unknown_ewt() -> None:
    """With nobody signed in the EWT is unknown (None), not a made-up number."""
    e = engine()
    submit(e, "t1", 0)
    estimate = e.estimated_wait("t1")
    assert estimate is not None and estimate.ewt_seconds is None


def test_offered_or_unknown_tasks_have_no_estimate() -> None:
    """Only waiting (or held) tasks have an estimate."""
    e = engine()
    sign_in(e, "a1")
    submit(e, "t1", 0)
    assert e.estimated_wait("t1") is None
    assert e.estimated_wait("nope") is None
