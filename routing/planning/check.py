"""The simulator's second opinion on a staffing answer: the real routing engine run with that
many agents on that demand, over seeded replications, each figure with its 95% CI.

The run time is bounded by a budget of simulated contacts, not by a clock, so the same inputs
always give the same answer (and a request cannot ask for hours of simulation).
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.config import PlanStep, Queue, RoutingConfig, RoutingPlan
from routing.planning.staffing import Demand, Figures, Target
from routing.simulation import AgentGroup, ContactStream, HandleTime, Scenario, replicate
from routing.simulation.stats import Estimate

# Enough contacts that the SL interval is a few points wide; about 10,000 a second here, so
# the ceiling keeps one request under about ten seconds.
DEFAULT_CONTACTS = 20_000
MAX_CONTACTS = 100_000


@dataclass(frozen=True)
class SimulatedCheck:
    """What the simulator measured at `agents`, and whether each CI covers the model's value."""

    agents: int
    replications: int
    measured_hours: float
    service_level: Estimate | None
    asa_seconds: Estimate | None
    occupancy: Estimate | None
    abandon_rate: Estimate | None
    covers: dict[str, bool]


def scenario_for(demand: Demand, agents: int, target: Target, measure_seconds: float) -> Scenario:
    """One queue, one skill, `agents` equal agents, Poisson arrivals and exponential handling:
    the assumptions Erlang C and A make, so a disagreement is the model's or the engine's."""
    config = RoutingConfig(
        queues=[Queue("planned", expression="skills.planned >= 1")],
        plans=[RoutingPlan("all", steps=[PlanStep("planned")], max_wait_seconds=86_400)],
    )
    stream = ContactStream(
        "calls",
        demand.arrival_rate * 3600.0,
        HandleTime(demand.aht_seconds),
        mean_patience_seconds=demand.patience_seconds,
    )
    return Scenario(
        config,
        [stream],
        [AgentGroup("agent", agents, {"planned": 5})],
        target_seconds=target.answer_seconds,
        warm_up_seconds=max(600.0, 10 * demand.aht_seconds),
        measure_seconds=measure_seconds,
    )


def check(
    demand: Demand,
    agents: int,
    target: Target,
    model: Figures | None,
    *,
    replications: int = 8,
    contacts: int = DEFAULT_CONTACTS,
) -> SimulatedCheck:
    """Simulate `agents` on `demand` in `replications` seeded runs sharing `contacts` arrivals."""
    if not 2 <= replications <= 50:
        raise ValueError(f"replications must be 2 to 50, got {replications}")
    if not 1_000 <= contacts <= MAX_CONTACTS:
        raise ValueError(f"contacts must be 1,000 to {MAX_CONTACTS:,}, got {contacts}")
    if agents < 1 or demand.contacts == 0:
        raise ValueError("the simulator needs at least one agent and some demand")
    # Each run measures its share of the budget; its warm-up adds a few AHTs' worth on top.
    measure = contacts / replications / demand.arrival_rate
    summary = replicate(scenario_for(demand, agents, target, measure), range(1, replications + 1))
    estimates = {
        "service_level": summary.service_level,
        "asa_seconds": summary.asa,
        "occupancy": summary.occupancy,
        "abandon_rate": summary.abandon_rate if demand.patience_seconds is not None else None,
    }
    covers: dict[str, bool] = {}
    if model is not None:
        for name, value in estimates.items():
            if value is not None:
                covers[name] = value.covers(getattr(model, name))
    return SimulatedCheck(
        agents=agents,
        replications=replications,
        measured_hours=round(measure / 3600.0, 3),
        service_level=summary.service_level,
        asa_seconds=summary.asa,
        occupancy=summary.occupancy,
        abandon_rate=estimates["abandon_rate"],
        covers=covers,
    )
