"""Replications over seeds and their 95% confidence intervals (Student t, normal from n = 31).

Each seed is an independent run, so its figures are i.i.d. samples of the long-run value.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from routing.simulation.run import Replication, simulate
from routing.simulation.scenario import Scenario

# Two-sided 95% Student t quantiles t(0.975, df) for df = 1..30; beyond that the normal 1.96
# is within 2% of t and the usual approximation.
T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
Z_975 = 1.959964


def t_quantile_975(df: int) -> float:
    """t(0.975, df) from the table, or the normal quantile for df > 30."""
    if df < 1:
        raise ValueError(f"need at least 2 replications for a confidence interval, got df={df}")
    return T_975[df - 1] if df <= len(T_975) else Z_975


@dataclass(frozen=True)
class Estimate:
    """Mean over replications with its 95% confidence interval [low, high]."""

    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.mean:.4f} ± {self.half_width:.4f} (95% CI, n={self.n})"


def estimate(values: Iterable[float | None]) -> Estimate | None:
    """Mean and t-interval of the replications that measured something; None if fewer than 2."""
    samples = [v for v in values if v is not None]
    if len(samples) < 2:
        return None
    half = t_quantile_975(len(samples) - 1) * statistics.stdev(samples) / math.sqrt(len(samples))
    return Estimate(statistics.fmean(samples), half, len(samples))


@dataclass(frozen=True)
class Summary:
    """A scenario's figures over seeds: service level (answered within T / offered), ASA,
    abandon rate and occupancy, each with a 95% confidence interval."""

    target_seconds: float
    replications: tuple[Replication, ...]
    service_level: Estimate | None
    asa: Estimate | None
    abandon_rate: Estimate | None
    occupancy: Estimate | None

    def as_dict(self) -> dict[str, float | None]:
        """Means and half-widths, flat, for printing as JSON."""
        data: dict[str, float | None] = {"target_seconds": self.target_seconds}
        for name in ("service_level", "asa", "abandon_rate", "occupancy"):
            value: Estimate | None = getattr(self, name)
            data[name] = None if value is None else value.mean
            data[f"{name}_ci95"] = None if value is None else value.half_width
        return data


def replicate(scenario: Scenario, seeds: Sequence[int]) -> Summary:
    """Run the scenario once per seed and summarise with 95% confidence intervals."""
    runs = tuple(simulate(scenario, seed) for seed in seeds)
    return Summary(
        target_seconds=scenario.target_seconds,
        replications=runs,
        service_level=estimate(r.service_level for r in runs),
        asa=estimate(r.asa for r in runs),
        abandon_rate=estimate(r.abandon_rate for r in runs),
        occupancy=estimate(r.occupancy for r in runs),
    )
