"""The simulator driving the real engine reproduces Erlang C and Erlang A within its 95% CI."""

from __future__ import annotations

import pytest

from routing import erlang
from routing.config import PlanStep, Queue, RoutingConfig, RoutingPlan
from routing.simulation import AgentGroup, ContactStream, HandleTime, Scenario, replicate

# DOMAIN.md §3 reference case: 100 calls per 30 min, AHT 180 s, T = 20 s.
CALLS_PER_HOUR = 200.0
AHT = 180.0
SEEDS = range(1, 26)  # 25 independent replications of 20 measured hours each


def single_queue(agents: int, patience: float | None) -> Scenario:
    config = RoutingConfig(
        queues=[Queue("support", expression="skills.support >= 1")],
        plans=[RoutingPlan("all", steps=[PlanStep("support")], max_wait_seconds=86_400)],
    )
    stream = ContactStream("calls", CALLS_PER_HOUR, HandleTime(AHT), mean_patience_seconds=patience)
    return Scenario(
        config,
        [stream],
        [AgentGroup("agent", agents, {"support": 5})],
        target_seconds=20.0,
        warm_up_seconds=1800.0,
        measure_seconds=20 * 3600.0,
    )


@pytest.fixture(scope="module")
def erlang_c_run():
    return replicate(single_queue(14, None), SEEDS)


@pytest.fixture(scope="module")
def erlang_a_run():
    return replicate(single_queue(12, 120.0), SEEDS)


def test_service_level_matches_erlang_c(erlang_c_run):
    """One queue, one skill, equal agents: simulated SL(20 s) CI covers Erlang C's 0.88835."""
    sl = erlang_c_run.service_level
    expected = erlang.service_level(14, 10.0, AHT, 20.0)
    assert sl.covers(expected), f"{sl} vs Erlang C {expected:.5f}"
    assert sl.half_width < 0.015  # narrow enough that covering it means something


def test_asa_and_occupancy_match_erlang_c(erlang_c_run):
    """Simulated ASA and occupancy CIs cover Erlang C's 7.836 s and 0.7143."""
    assert erlang_c_run.asa.covers(erlang.average_speed_of_answer(14, 10.0, AHT))
    assert erlang_c_run.occupancy.covers(erlang.occupancy(14, 10.0))


def test_abandonment_matches_erlang_a(erlang_a_run):
    """With exponential patience, simulated SL and abandon rate CIs cover Erlang A's values."""
    model = erlang.erlang_a(12, CALLS_PER_HOUR / 3600, AHT, 120.0, 20.0)
    assert erlang_a_run.service_level.covers(model.service_level), (
        f"{erlang_a_run.service_level} vs Erlang A {model.service_level:.5f}"
    )
    assert erlang_a_run.abandon_rate.covers(model.p_abandon), (
        f"{erlang_a_run.abandon_rate} vs Erlang A {model.p_abandon:.5f}"
    )
    assert erlang_a_run.asa.covers(model.asa)
