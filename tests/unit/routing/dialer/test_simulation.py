"""The outbound simulation: reproducible, physically sane, and running the real pacers."""

from __future__ import annotations

from itertools import pairwise

import pytest

from routing.dialer.pacer import DecisionCode, replay
from routing.dialer.simulation import (
    AdaptivePacer,
    ModelPacer,
    OutboundScenario,
    ProgressivePacer,
    simulate,
)
from routing.dialer.simulation.results import worst_window

HALF_HOUR = OutboundScenario(agents=20, hours=0.5)


def test_the_same_seed_gives_the_same_day() -> None:
    """A run is a function of (scenario, pacer, seed)."""
    assert simulate(HALF_HOUR, ProgressivePacer(), 3) == simulate(HALF_HOUR, ProgressivePacer(), 3)
    assert simulate(HALF_HOUR, ProgressivePacer(), 3) != simulate(HALF_HOUR, ProgressivePacer(), 4)


def test_progressive_abandons_only_those_who_hang_up_during_the_greeting() -> None:
    """One call per free agent: every live answer finds its agent; the few abandons are the
    0.5% who hang up before the greeting ends. About 30% of dials are live (AMD's view)."""
    result = simulate(OutboundScenario(agents=20, hours=2), ProgressivePacer(), 1)
    assert result.abandon_rate < 0.015
    assert 0.27 < result.live / result.dials < 0.34
    assert result.talk_occupancy < result.ceiling


def test_ours_keeps_agents_busier_than_progressive_within_the_limit() -> None:
    """Over two hours of 20 agents ours talks more, with the abandon rate under 3%."""
    scenario = OutboundScenario(agents=20, hours=2)
    ours = simulate(scenario, ModelPacer(), 1)
    progressive = simulate(scenario, ProgressivePacer(), 1)
    assert ours.ceiling_ratio > progressive.ceiling_ratio + 0.05
    assert ours.abandon_rate <= 0.03


def test_every_logged_decision_replays_to_itself() -> None:
    """The decisions the pacer took in the simulation give the same decision when replayed."""
    pacer = ModelPacer(keep_decisions=300)
    simulate(OutboundScenario(agents=10, hours=0.25), pacer, 2)
    assert len(pacer.decisions) == 300
    assert {d.code for d in pacer.decisions} >= {DecisionCode.PREDICTIVE}
    assert all(replay(d) == d for d in pacer.decisions)


def test_the_calls_per_second_budget_is_never_exceeded() -> None:
    """At 1 call per second, no 10-second span has more than 11 calls (one of burst)."""
    pacer = ModelPacer()
    scenario = OutboundScenario(agents=20, hours=0.25, calls_per_second=1.0)
    from routing.dialer.simulation import run as sim

    floor = sim._Floor(scenario, pacer, 1)
    floor.run()
    dials = floor.dials
    assert dials
    for start in range(0, int(scenario.seconds), 10):
        assert sum(start <= d < start + 10 for d in dials) <= 11


def test_vicidial_over_dials_at_the_start_then_holds_at_one() -> None:
    """All agents ready at 09:00: the level climbs to 3.0 within 30 s, the drops follow, and
    the day's drop rate over 3% holds it at 1.0 (ADAPT_HARD_LIMIT)."""
    pacer = AdaptivePacer()
    result = simulate(OutboundScenario(agents=20, hours=0.5), pacer, 1)
    assert pacer.state is not None and pacer.state.level == 1.0
    assert result.abandon_rate > 0.03


def test_the_worst_window_slides_by_minutes() -> None:
    """Ten live answers a minute for an hour, with 5 abandons in minute 40: the worst window
    holds them all (5/300); a run shorter than a window is one window."""
    times = [m * 60 + s * 6 for m in range(60) for s in range(10)]
    abandoned = [40 * 60 <= t < 40 * 60 + 30 for t in times]
    before = [0]
    for a in abandoned:
        before.append(before[-1] + a)
    assert worst_window(times, before, 3600.0) == pytest.approx(5 / 300)
    assert worst_window(times[:10], before[:11], 600.0) == 0.0


def test_a_scenario_needs_agents_and_sane_shares() -> None:
    """No agents, or outcome shares over 100%, are refused."""
    with pytest.raises(ValueError):
        OutboundScenario(agents=0)
    with pytest.raises(ValueError):
        OutboundScenario(agents=5, live=0.7, machine=0.4)


def test_live_answer_times_are_ordered() -> None:
    """The floor records live answers in time order (the windows rely on it)."""
    from routing.dialer.simulation import run as sim

    floor = sim._Floor(OutboundScenario(agents=5, hours=0.2), ProgressivePacer(), 1)
    floor.run()
    assert all(a <= b for a, b in pairwise(floor.live_times))
