"""Tests for routing.timers: ordered deadlines with cancellation and JSON state."""

from __future__ import annotations

from routing.timers import Timers


def test_due_timers_pop_in_deadline_then_set_order() -> None:
    """Timers fire by deadline, ties in the order they were set; later ones wait."""
    timers = Timers()
    timers.set("offer", "r1", 10)
    timers.set("step", "t1", 5)
    timers.set("hold", "t2", 5)
    timers.set("maxwait", "t3", 30)
    fired = []
    while (due := timers.pop_due(10)) is not None:
        fired.append(due)
    assert fired == [("step", "t1"), ("hold", "t2"), ("offer", "r1")]
    assert timers.next_deadline() == 30


def test_cancel_and_reset_replace_the_old_deadline() -> None:
    """Cancelled timers never fire; setting again moves the deadline."""
    timers = Timers()
    timers.set("offer", "r1", 10)
    timers.cancel("offer", "r1")
    timers.set("step", "t1", 10)
    timers.set("step", "t1", 20)
    assert timers.pop_due(15) is None
    assert timers.next_deadline() == 20


def test_round_trip_keeps_order() -> None:
    """A restored timer set fires in the same order."""
    timers = Timers()
    for index, deadline in enumerate((3, 1, 2, 1)):
        timers.set("step", f"t{index}", deadline)
    copy = Timers.from_list(timers.to_list(), timers.seq)
    assert [copy.pop_due(9) for _ in range(4)] == [timers.pop_due(9) for _ in range(4)]
