"""The slow abandon loop and the calls-per-second budget."""

from __future__ import annotations

import pytest

from routing.dialer.budget import CallsPerSecondBudget
from routing.dialer.feedback import AbandonFeedback


def test_an_abandon_rate_over_the_aim_lowers_the_target() -> None:
    """5% measured against a 2.4% aim: the pacer gets a smaller risk target."""
    loop = AbandonFeedback(aim=0.024, target=0.02)
    assert loop.update(live=200, abandoned=10).target < 0.02


def test_an_abandon_rate_under_the_aim_raises_it_slowly() -> None:
    """No abandons at all: the target rises, by at most the step bound."""
    loop = AbandonFeedback(aim=0.024, target=0.02)
    raised = loop.update(live=200, abandoned=0).target
    assert 0.02 < raised <= 0.02 * loop.max_step


def test_on_aim_the_target_stays() -> None:
    """Measured exactly on the aim: no change."""
    loop = AbandonFeedback(aim=0.025, target=0.02)
    assert loop.update(live=200, abandoned=5).target == pytest.approx(0.02)


def test_the_target_stays_within_its_bounds_and_small_samples_are_ignored() -> None:
    """Repeated bad minutes cannot push the target under its floor; 10 answers say nothing."""
    loop = AbandonFeedback(aim=0.024, target=0.002, floor=0.001)
    for _ in range(50):
        loop = loop.update(live=100, abandoned=50)
    assert loop.target == 0.001
    assert loop.update(live=10, abandoned=10) == loop


def test_feedback_settings_are_checked() -> None:
    """A target outside its bounds, or a zero gain, is refused."""
    with pytest.raises(ValueError):
        AbandonFeedback(aim=0.024, target=0.5)
    with pytest.raises(ValueError):
        AbandonFeedback(aim=0.024, gain=0.0)


def test_the_budget_refills_at_its_rate_up_to_its_burst() -> None:
    """2 calls per second: after taking both, one is back after half a second."""
    budget = CallsPerSecondBudget.full(2.0, at=0.0)
    assert budget.available(0.0) == 2
    budget = budget.take(2, 0.0)
    assert budget.available(0.0) == 0
    assert budget.available(0.5) == 1
    assert budget.available(60.0) == 2


def test_the_budget_refuses_more_than_it_holds() -> None:
    """Taking past the budget is an error, not a silent overdraft."""
    with pytest.raises(ValueError, match="in the budget"):
        CallsPerSecondBudget.full(1.0, at=0.0).take(2, 0.0)
