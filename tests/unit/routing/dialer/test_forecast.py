"""The forecast: agents free and live answers due by each look-ahead time, and a call's risk."""

from __future__ import annotations

import pytest

from routing.dialer.forecast import forecast
from routing.dialer.model import AttemptTiming, Prior, estimate

# Every third call is live at exactly 12 s; talk 100 s, wrap-up 10 s.
MODEL = estimate(
    [AttemptTiming(12.0, 12.0)] + [AttemptTiming(None, 20.0)] * 2,
    [100.0] * 10,
    [10.0] * 10,
    Prior(weight=1e-9),
)


def test_idle_agents_and_waiting_answers_count_from_now() -> None:
    """Three idle agents are free at every look-ahead; two waiting answers are due at once."""
    ahead = forecast(MODEL, idle=3, busy=[], ringing=[], waiting_live=2)
    assert set(ahead.free_mean) == {3.0}
    assert set(ahead.live_mean) == {2.0}
    assert set(ahead.free_var) == {0.0}


def test_busy_agents_and_ringing_calls_add_their_chances() -> None:
    """An agent 95 s into a 100 s talk is free by 16 s (5 + 10 of wrap-up, counted whole);
    a call ringing for 4 s is live by 8 s from now with its 1/3 chance."""
    ahead = forecast(
        MODEL, idle=0, busy=[MODEL.talk_row(95)], ringing=[MODEL.call_row(4)], waiting_live=0
    )
    t = MODEL.look_ahead
    assert ahead.free_mean[t.index(14)] == pytest.approx(0.0)
    assert ahead.free_mean[t.index(16)] == pytest.approx(1.0)
    assert ahead.live_mean[t.index(6)] == pytest.approx(0.0)
    assert ahead.live_mean[t.index(8)] == pytest.approx(1 / 3)
    assert ahead.live_var[t.index(8)] == pytest.approx(2 / 9)


def test_a_call_is_safe_with_agents_to_spare_and_hopeless_without() -> None:
    """Five idle agents and nothing ringing: almost no risk. No agent free in 36 s: certain."""
    spare = forecast(MODEL, idle=5, busy=[], ringing=[], waiting_live=0)
    assert spare.call_risk(others=0) < 0.001
    none = forecast(MODEL, idle=0, busy=[MODEL.talk_row(0)], ringing=[], waiting_live=0)
    assert none.call_risk(others=0) == pytest.approx(1.0)


def test_the_risk_grows_with_every_call_placed_beside_it() -> None:
    """More calls dialed at once mean more live answers competing for the same agents."""
    ahead = forecast(MODEL, idle=2, busy=[MODEL.talk_row(50)] * 4, ringing=[], waiting_live=0)
    risks = [ahead.call_risk(others=n) for n in range(12)]
    assert risks == sorted(risks)
    assert risks[-1] > risks[0]


def test_expected_abandons_bound_the_excess_of_answers_over_agents() -> None:
    """Six calls ringing for 4 s (two live answers due) and one idle agent: about one short."""
    ahead = forecast(MODEL, idle=1, busy=[], ringing=[MODEL.call_row(4)] * 6, waiting_live=0)
    assert 0.5 < ahead.expected_abandons() < 1.5
    assert ahead.expected_abandons(extra=3) > ahead.expected_abandons()
