"""Erlang B, C and A against DOMAIN.md's reference case and closed-form identities."""

from __future__ import annotations

import math

import pytest

from routing import erlang

# DOMAIN.md §3: 100 calls per 30 min, AHT 180 s, T = 20 s, N = 14.
RATE = 100 / 1800
AHT = 180.0
LOAD = erlang.offered_load(RATE, AHT)


def _poisson(mean: float, k: int) -> float:
    return math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))


def test_reference_case_offered_load():
    """Offered load is arrivals per second times AHT: 100 calls/30 min x 180 s = 10 Erlangs."""
    assert erlang.offered_load(RATE, AHT) == pytest.approx(10.0)


def test_reference_case_probability_of_wait():
    """Erlang C gives P(wait) = 0.1741319 for the reference case."""
    assert round(erlang.erlang_c(14, LOAD), 7) == 0.1741319


def test_reference_case_service_level():
    """SL(20 s) = 0.88835 for the reference case."""
    assert round(erlang.service_level(14, LOAD, AHT, 20.0), 5) == 0.88835


def test_reference_case_asa():
    """ASA = 7.836 s for the reference case."""
    assert round(erlang.average_speed_of_answer(14, LOAD, AHT), 3) == 7.836


def test_reference_case_occupancy():
    """Occupancy = A / N = 0.7143 for the reference case."""
    assert round(erlang.occupancy(14, LOAD), 4) == 0.7143


def test_erlang_b_small_case_by_hand():
    """Erlang B for N=2, A=1 is (A^2/2) / (1 + A + A^2/2) = 0.2."""
    assert erlang.erlang_b(2, 1.0) == pytest.approx(0.2)


def test_agents_needed_is_smallest_meeting_target():
    """agents_needed returns the smallest N whose SL meets the target (80/20 -> 14 here)."""
    needed = erlang.agents_needed(LOAD, AHT, 20.0, 0.8)
    assert needed == 14
    assert erlang.service_level(needed - 1, LOAD, AHT, 20.0) < 0.8


def test_agents_needed_respects_occupancy_cap():
    """An occupancy cap can demand more agents than the service level alone."""
    assert erlang.agents_needed(LOAD, AHT, 20.0, 0.8, max_occupancy=0.7) == 15


def test_erlang_c_rejects_overload():
    """Erlang C needs N > A and says so."""
    with pytest.raises(ValueError, match="must exceed the offered load"):
        erlang.erlang_c(10, LOAD)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_rates_must_be_positive(bad):
    """Arrival rates and AHT must be positive finite numbers."""
    with pytest.raises(ValueError, match="arrival_rate must be a positive"):
        erlang.offered_load(bad, AHT)
    with pytest.raises(ValueError, match="aht_seconds must be a positive"):
        erlang.erlang_a(14, RATE, bad, 60.0, 20.0)


def test_agents_must_be_positive():
    """Zero agents is rejected with a message naming the field."""
    with pytest.raises(ValueError, match="agents must be a positive whole number"):
        erlang.erlang_b(0, 1.0)


def test_erlang_a_with_patience_equal_to_service_is_infinite_server():
    """With θ = μ, M/M/N+M holds Poisson(A) callers: P(wait) = P(X >= N), P(ab) = E(X-N)+ / A."""
    result = erlang.erlang_a(14, RATE, AHT, AHT, 20.0)
    tail = sum(_poisson(LOAD, k) for k in range(14, 200))
    excess = sum((k - 14) * _poisson(LOAD, k) for k in range(14, 200))
    assert result.p_wait == pytest.approx(tail, rel=1e-9)
    assert result.p_abandon == pytest.approx(excess / LOAD, rel=1e-9)
    assert round(result.p_wait, 7) == 0.1355356


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    """With (nearly) infinite patience Erlang A reproduces Erlang C's reference figures."""
    result = erlang.erlang_a(14, RATE, AHT, 1e9, 20.0)
    assert round(result.p_wait, 7) == 0.1741319
    assert round(result.service_level, 5) == 0.88835
    assert round(result.mean_wait, 3) == 7.836
    assert result.p_abandon < 1e-6


def test_erlang_a_is_stable_under_overload():
    """Abandonment keeps M/M/N+M stable even when A > N; the abandon share is then large."""
    result = erlang.erlang_a(8, RATE, AHT, 60.0, 20.0)
    assert 0.0 < result.service_level < 1.0
    assert result.p_abandon > 0.1


def test_erlang_a_abandons_are_little_law_consistent():
    """Mean wait of all callers = P(abandon) x mean patience (abandon flow = θ·E[queue])."""
    result = erlang.erlang_a(12, RATE, AHT, 90.0, 20.0)
    assert result.mean_wait == pytest.approx(result.p_abandon * 90.0)


def test_erlang_a_service_level_grows_with_target():
    """Answered-within-T rises with T and stays below the share answered at all."""
    levels = [erlang.erlang_a(12, RATE, AHT, 90.0, t).service_level for t in (0, 10, 20, 60, 600)]
    assert levels == sorted(levels)
    assert levels[-1] <= 1.0 - erlang.erlang_a(12, RATE, AHT, 90.0, 20.0).p_abandon + 1e-12


def test_erlang_a_zero_target_is_no_wait():
    """With T = 0 only callers who find a free agent count: SL = 1 - P(wait)."""
    result = erlang.erlang_a(12, RATE, AHT, 90.0, 0.0)
    assert result.service_level == pytest.approx(1.0 - result.p_wait)
