"""Staffing: how many agents a queue's demand needs to meet its targets, by Erlang C and Erlang A.

A target is a service level (answered within T seconds / offered), optionally an abandon cap and
a maximum occupancy; shrinkage turns agents on the phones into agents to schedule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from routing import erlang

Model = Literal["erlang_c", "erlang_a"]
# Where the search gives up: far beyond any real queue, so a typo fails instead of spinning.
MAX_AGENTS = 5_000


@dataclass(frozen=True)
class Demand:
    """What one interval brings: contacts offered in interval_seconds, their AHT (talk + hold +
    after-call work) and the callers' mean patience (exponential; None: nobody hangs up)."""

    contacts: float
    aht_seconds: float
    interval_seconds: float = 900.0
    patience_seconds: float | None = None

    def __post_init__(self) -> None:
        if not (self.contacts >= 0 and math.isfinite(self.contacts)):
            raise ValueError(f"contacts must be zero or a positive number, got {self.contacts}")
        if not (self.aht_seconds > 0 and math.isfinite(self.aht_seconds)):
            raise ValueError(f"aht_seconds must be a positive number, got {self.aht_seconds}")
        if not (self.interval_seconds > 0 and math.isfinite(self.interval_seconds)):
            raise ValueError(f"interval_seconds must be positive, got {self.interval_seconds}")
        if self.patience_seconds is not None and not (
            self.patience_seconds > 0 and math.isfinite(self.patience_seconds)
        ):
            raise ValueError(f"patience_seconds must be positive, got {self.patience_seconds}")

    @property
    def arrival_rate(self) -> float:
        """Contacts per second."""
        return self.contacts / self.interval_seconds

    @property
    def load(self) -> float:
        """Offered load in Erlangs: arrivals per second x AHT."""
        return self.arrival_rate * self.aht_seconds


@dataclass(frozen=True)
class Target:
    """Service level (fraction answered within answer_seconds, over offered), and optional caps
    on the abandon rate and on occupancy (time on contacts / time signed in and not on break)."""

    service_level: float = 0.8
    answer_seconds: float = 20.0
    max_abandon: float | None = None
    max_occupancy: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.service_level < 1.0:
            raise ValueError(
                f"service_level must be a fraction in (0, 1), got {self.service_level}"
            )
        if not (self.answer_seconds >= 0 and math.isfinite(self.answer_seconds)):
            raise ValueError(f"answer_seconds must be >= 0, got {self.answer_seconds}")
        if self.max_abandon is not None and not 0.0 < self.max_abandon < 1.0:
            raise ValueError(f"max_abandon must be a fraction in (0, 1), got {self.max_abandon}")
        if self.max_occupancy is not None and not 0.0 < self.max_occupancy <= 1.0:
            raise ValueError(
                f"max_occupancy must be a fraction in (0, 1], got {self.max_occupancy}"
            )


@dataclass(frozen=True)
class Figures:
    """What a model predicts at a number of agents (service level over offered)."""

    service_level: float
    asa_seconds: float
    occupancy: float
    abandon_rate: float


@dataclass(frozen=True)
class Staffing:
    """One model's answer: agents on contacts, agents to schedule after shrinkage, and what the
    model predicts at that number (abandon_rate is 0 under Erlang C, where nobody hangs up).

    limited_by names the target that set the number: the last one met when adding agents
    ("service_level", "abandon", "occupancy"), or "none" when there is no demand.
    """

    model: Model
    agents: int
    scheduled: int
    service_level: float | None
    asa_seconds: float | None
    occupancy: float | None
    abandon_rate: float | None
    limited_by: str

    def figures(self) -> Figures | None:
        """The predicted figures alone (None when there was no demand to staff)."""
        if self.service_level is None or self.asa_seconds is None:
            return None
        assert self.occupancy is not None and self.abandon_rate is not None
        return Figures(self.service_level, self.asa_seconds, self.occupancy, self.abandon_rate)


def scheduled_agents(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that `agents` remain after shrinkage (breaks, training, absence)."""
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError(f"shrinkage must be a fraction in [0, 1), got {shrinkage}")
    # Rounding noise (14 / 0.7 = 20.000000000000004) must not add an agent.
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def erlang_c_figures(agents: int, demand: Demand, target: Target) -> Figures | None:
    """Erlang C's figures at `agents`, or None when agents <= load (the queue never settles)."""
    if agents <= demand.load:
        return None
    return Figures(
        service_level=erlang.service_level(
            agents, demand.load, demand.aht_seconds, target.answer_seconds
        ),
        asa_seconds=erlang.average_speed_of_answer(agents, demand.load, demand.aht_seconds),
        occupancy=erlang.occupancy(agents, demand.load),
        abandon_rate=0.0,
    )


def erlang_a_figures(agents: int, demand: Demand, target: Target) -> Figures:
    """Erlang A's figures at `agents`; occupancy counts only the callers who stay to be served."""
    if demand.patience_seconds is None:
        raise ValueError("Erlang A needs patience_seconds (the callers' mean patience)")
    model = erlang.erlang_a(
        agents, demand.arrival_rate, demand.aht_seconds, demand.patience_seconds,
        target.answer_seconds,
    )  # fmt: skip
    served_load = demand.load * (1.0 - model.p_abandon)
    return Figures(
        service_level=model.service_level,
        asa_seconds=model.asa,
        occupancy=min(1.0, served_load / agents),
        abandon_rate=model.p_abandon,
    )


def _unmet(figures: Figures | None, target: Target) -> str | None:
    """The first target these figures miss, or None when all are met."""
    if figures is None:
        return "service_level"
    if figures.service_level < target.service_level:
        return "service_level"
    if target.max_abandon is not None and figures.abandon_rate > target.max_abandon:
        return "abandon"
    if target.max_occupancy is not None and figures.occupancy > target.max_occupancy:
        return "occupancy"
    return None


def staff(model: Model, demand: Demand, target: Target, shrinkage: float = 0.0) -> Staffing:
    """The fewest agents meeting every target under `model`, and the figures at that number.

    Each target is monotone in agents (more agents: higher SL, fewer abandons, lower occupancy),
    so a doubling then bisection search finds the smallest N in O(log N) model evaluations.
    """
    scheduled_agents(0, shrinkage)  # validates shrinkage before any work
    if demand.contacts == 0:
        return Staffing(model, 0, 0, None, None, None, None, "none")

    def figures(agents: int) -> Figures | None:
        if model == "erlang_c":
            return erlang_c_figures(agents, demand, target)
        try:
            return erlang_a_figures(agents, demand, target)
        except ValueError:
            # Erlang A refuses a queue of over 200,000 waiting callers: so few agents miss
            # every target, which is all the search needs to know.
            return None

    low = math.floor(demand.load) if model == "erlang_c" else 0  # known to fail (or 0 agents)
    high = max(low + 1, 1)
    while _unmet(figures(high), target) is not None:
        low, high = high, high * 2
        if high > MAX_AGENTS:
            raise ValueError(
                f"no staffing up to {MAX_AGENTS} agents meets the targets: check the volume "
                "and AHT, or loosen the targets"
            )
    while high - low > 1:
        middle = (low + high) // 2
        if _unmet(figures(middle), target) is None:
            high = middle
        else:
            low = middle
    found = figures(high)
    assert found is not None  # high meets every target, so it is stable
    # The binding target is the one that still failed one agent below.
    below = figures(high - 1) if high > 1 else None
    binding = _unmet(below, target) if high > 1 else "service_level"
    return Staffing(
        model=model,
        agents=high,
        scheduled=scheduled_agents(high, shrinkage),
        service_level=found.service_level,
        asa_seconds=found.asa_seconds,
        occupancy=found.occupancy,
        abandon_rate=found.abandon_rate,
        limited_by=binding or "service_level",
    )


def staff_both(demand: Demand, target: Target, shrinkage: float = 0.0) -> dict[Model, Staffing]:
    """Erlang C always; Erlang A too when the callers' patience is known."""
    answers: dict[Model, Staffing] = {"erlang_c": staff("erlang_c", demand, target, shrinkage)}
    if demand.patience_seconds is not None:
        answers["erlang_a"] = staff("erlang_a", demand, target, shrinkage)
    return answers
