"""A console socket's event budget: a burst, a sustained rate, and disconnection if it persists."""

from __future__ import annotations

import pytest

from contactcentre.realtime.event_limits import EventBudget, EventLimiter, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limiter(
    per_second: float = 2, burst: int = 3, refusals: int = 4
) -> tuple[EventLimiter, Clock]:
    clock = Clock()
    return EventLimiter(EventBudget(per_second, burst, refusals), clock), clock


def test_a_burst_is_allowed_then_events_beyond_it_are_refused() -> None:
    """A fresh socket may send `burst` events at once; the next is refused."""
    limiter, _ = _limiter(burst=3)
    assert [limiter.hit("s") for _ in range(4)] == [Verdict.ALLOWED] * 3 + [Verdict.REFUSED]


def test_the_budget_refills_at_the_sustained_rate() -> None:
    """After the burst, one event per 1/rate seconds is allowed."""
    limiter, clock = _limiter(per_second=2, burst=1)
    assert limiter.hit("s") is Verdict.ALLOWED
    clock.now += 0.25
    assert limiter.hit("s") is Verdict.REFUSED
    clock.now += 0.25
    assert limiter.hit("s") is Verdict.ALLOWED


def test_a_socket_that_keeps_on_is_disconnected() -> None:
    """Refused `refusals_before_disconnect` times without refilling: the verdict is disconnect."""
    limiter, clock = _limiter(per_second=2, burst=3, refusals=4)
    verdicts = []
    for _ in range(40):  # four events a second against a budget of two
        verdicts.append(limiter.hit("s"))
        clock.now += 0.25
    assert verdicts.count(Verdict.REFUSED) == 3
    assert Verdict.DISCONNECT in verdicts
    assert Verdict.REFUSED not in verdicts[verdicts.index(Verdict.DISCONNECT) :]


def test_a_pause_that_refills_the_budget_forgives_earlier_refusals() -> None:
    """Someone who hit the limit, then waited, starts again with a clean record."""
    limiter, clock = _limiter(per_second=2, burst=3, refusals=2)
    for _ in range(3):
        limiter.hit("s")
    assert limiter.hit("s") is Verdict.REFUSED
    clock.now += 1.5  # 3 events' worth: full again
    for _ in range(3):
        assert limiter.hit("s") is Verdict.ALLOWED
    assert limiter.hit("s") is Verdict.REFUSED  # the first refusal of a new streak


def test_each_socket_has_its_own_budget() -> None:
    """One socket's flood does not spend another's budget; a forgotten socket starts afresh."""
    limiter, _ = _limiter(burst=1)
    assert limiter.hit("a") is Verdict.ALLOWED
    assert limiter.hit("a") is Verdict.REFUSED
    assert limiter.hit("b") is Verdict.ALLOWED
    limiter.forget("a")
    assert limiter.hit("a") is Verdict.ALLOWED


@pytest.mark.parametrize(("per_second", "burst", "refusals"), [(0, 1, 1), (1, 0, 1), (1, 1, 0)])
def test_a_budget_that_allows_nothing_is_refused(
    per_second: float, burst: int, refusals: int
) -> None:
    """A rate of zero, an empty burst or disconnecting before any refusal is a mistake."""
    with pytest.raises(ValueError, match="must be"):
        EventBudget(per_second, burst, refusals)
