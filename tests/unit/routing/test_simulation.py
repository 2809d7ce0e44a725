"""The simulation harness: determinism, warm-up, customers and agents as modelled, statistics."""

from __future__ import annotations

import random
import statistics

import pytest

from routing.config import PlanStep, Queue, RoutingConfig, RoutingPlan
from routing.simulation import (
    AgentGroup,
    ContactStream,
    HandleTime,
    Scenario,
    estimate,
    simulate,
)
from routing.simulation.stats import t_quantile_975


def routing(wrap_up: float = 0.0, **queues: str) -> RoutingConfig:
    """One queue per name with the given agent expression; tasks go by attribute `queue`."""
    qs = [Queue(name, expression=expr, wrap_up_seconds=wrap_up) for name, expr in queues.items()]
    plans = [
        RoutingPlan(f"p-{q.id}", filter=f'queue == "{q.id}"', steps=[PlanStep(q.id)]) for q in qs
    ]
    return RoutingConfig(qs, plans)


def small(**kwargs) -> Scenario:
    defaults = {
        "config": routing(support="skills.support >= 1"),
        "streams": [ContactStream("calls", 120, HandleTime(120), attributes={"queue": "support"})],
        "agents": [AgentGroup("a", 5, {"support": 5})],
        "warm_up_seconds": 600.0,
        "measure_seconds": 3600.0,
    }
    return Scenario(**{**defaults, **kwargs})


def test_same_seed_same_figures():
    """A replication is a pure function of (scenario, seed)."""
    assert simulate(small(), 7, keep_outcomes=True) == simulate(small(), 7, keep_outcomes=True)


def test_different_seeds_differ():
    """Different seeds draw different callers."""
    assert simulate(small(), 1).service_level != simulate(small(), 2).service_level


def test_callers_are_common_across_routing_configs():
    """Two routing configs see the very same arrivals (common random numbers per seed)."""
    other = small(config=routing(support=""))
    first = simulate(small(), 3, keep_outcomes=True).outcomes
    second = simulate(other, 3, keep_outcomes=True).outcomes
    assert [o.queued_at for o in first] == [o.queued_at for o in second]


def test_warm_up_contacts_are_not_measured():
    """Only contacts arriving after the warm-up and before the end are measured."""
    outcomes = simulate(small(), 4, keep_outcomes=True).outcomes
    assert outcomes
    assert all(600.0 <= (o.queued_at or 0.0) < 4200.0 for o in outcomes)


def test_every_measured_contact_leaves_the_queue():
    """The run goes on past the end until every measured caller is answered or gone."""
    outcomes = simulate(small(), 5, keep_outcomes=True).outcomes
    assert all(o.waited() is not None for o in outcomes)


def test_accept_delay_is_part_of_the_wait():
    """With agents always free, every caller waits exactly the accept delay."""
    run = simulate(small(agents=[AgentGroup("a", 40, {"support": 5})], accept_delay_seconds=3.0), 1)
    assert run.asa == pytest.approx(3.0)
    assert (
        simulate(
            small(
                agents=[AgentGroup("a", 40, {"support": 5})],
                accept_delay_seconds=3.0,
                target_seconds=2.0,
            ),
            1,
        ).service_level
        == 0.0
    )


def test_impatient_callers_abandon():
    """Callers with short patience and too few agents hang up: abandons are counted."""
    stream = ContactStream(
        "calls", 300, HandleTime(120), attributes={"queue": "support"}, mean_patience_seconds=10
    )
    run = simulate(small(streams=[stream], agents=[AgentGroup("a", 3, {"support": 5})]), 1)
    assert run.abandon_rate is not None and run.abandon_rate > 0.3
    assert run.service_level is not None and run.service_level < 1 - run.abandon_rate


def test_skill_mix_routes_only_to_eligible_agents():
    """A queue's contacts only reach agents its expression admits."""
    scenario = small(
        config=routing(billing="skills.billing >= 1", sales="skills.sales >= 1"),
        streams=[
            ContactStream("b", 60, HandleTime(120), attributes={"queue": "billing"}),
            ContactStream("s", 60, HandleTime(120), attributes={"queue": "sales"}),
        ],
        agents=[AgentGroup("bill", 4, {"billing": 5}), AgentGroup("sell", 4, {"sales": 5})],
    )
    outcomes = simulate(scenario, 2, keep_outcomes=True).outcomes
    assert {o.queue_id for o in outcomes if o.contact_id.startswith("b-")} == {"billing"}
    assert {o.queue_id for o in outcomes if o.contact_id.startswith("s-")} == {"sales"}


def test_wrap_up_adds_to_occupancy():
    """Queue wrap-up time keeps agents busy: occupancy rises; pressing Done early lowers it."""
    plain = simulate(small(), 1).occupancy
    wrapped = simulate(small(config=routing(60.0, support="skills.support >= 1")), 1).occupancy
    done_early = simulate(
        small(config=routing(60.0, support="skills.support >= 1"), wrap_up=HandleTime(10.0)), 1
    ).occupancy
    assert plain is not None and wrapped is not None and done_early is not None
    assert plain < done_early < wrapped


def test_lognormal_handle_time_has_the_asked_mean():
    """Log-normal handle times keep the configured mean and coefficient of variation."""
    rng = random.Random(1)
    shape = HandleTime(300.0, "lognormal", cv=0.5)
    draws = [shape.sample(rng) for _ in range(40_000)]
    assert statistics.fmean(draws) == pytest.approx(300.0, rel=0.02)
    assert statistics.stdev(draws) / statistics.fmean(draws) == pytest.approx(0.5, rel=0.05)


def test_t_interval_on_known_sample():
    """A 95% CI uses Student t with n-1 df: for 1..5 it is 3 ± 2.776·sd/√5."""
    result = estimate([1.0, 2.0, 3.0, 4.0, 5.0])
    assert result is not None
    assert result.mean == 3.0
    assert result.half_width == pytest.approx(2.776 * statistics.stdev([1, 2, 3, 4, 5]) / 5**0.5)


def test_normal_quantile_from_31_replications():
    """From df = 31 the interval uses the normal quantile 1.96."""
    assert t_quantile_975(30) == 2.042
    assert t_quantile_975(31) == pytest.approx(1.96, abs=1e-3)


def test_estimate_needs_two_values():
    """Fewer than two measured replications give no interval (None), not a crash."""
    assert estimate([0.5, None]) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"streams": []}, "at least one contact stream"),
        ({"agents": []}, "at least one agent group"),
        ({"accept_delay_seconds": -1.0}, "accept_delay_seconds"),
    ],
)
def test_scenario_validates(kwargs, message):
    """A scenario refuses missing streams or agents and negative delays, saying which."""
    with pytest.raises(ValueError, match=message):
        small(**kwargs)


def test_stream_rejects_bad_rate():
    """A contact stream's arrival rate is never negative (0: only logged contacts arrive)."""
    with pytest.raises(ValueError, match="arrivals_per_hour must be >= 0"):
        ContactStream("x", -1, HandleTime(60))
