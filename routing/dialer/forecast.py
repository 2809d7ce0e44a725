"""The floor over the next seconds: agents expected free and live answers expected due.

For each look-ahead time t: the mean and variance of the agents free by t (those idle now, plus
each talking or wrapping-up agent's chance to be done by t) and of the live answers needing an
agent by t (those waiting now, plus each ringing call's chance, given how long it has rung).
Agents and calls are independent Bernoulli trials; sums are read as normal, with a continuity
correction, which is what makes a decision cost one addition per agent and per call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from routing.dialer.model import PacingModel


@dataclass(frozen=True)
class Forecast:
    """Per look-ahead time: free agents and live answers due (means and variances), and a new
    call's chance to be live by then (`new`)."""

    look_ahead: tuple[int, ...]
    idle: int
    waiting_live: int
    free_mean: tuple[float, ...]
    free_var: tuple[float, ...]
    live_mean: tuple[float, ...]
    live_var: tuple[float, ...]
    new: tuple[float, ...]

    @property
    def new_live(self) -> float:
        return self.new[-1]

    def call_risk(self, others: int) -> float:
        """P(a new call's live answer finds no free agent | it is live), with `others` new
        calls placed beside it: over each look-ahead interval it may land in, the chance that
        the live answers due before it (waiting, ringing, the others) use up the agents free
        by then. Intervals are read at their midpoints."""
        mass = self.new[-1]
        if mass <= 0:
            return 0.0
        risk = 0.0
        for share, q, gap, variance in self._intervals:
            risk += share * _at_least_zero(gap + others * q, variance + others * q * (1 - q))
        return risk / mass

    @cached_property
    def _intervals(self) -> tuple[tuple[float, float, float, float], ...]:
        """(share of the new call's live chance, its midpoint chance, live minus free + 0.5,
        variance) for each look-ahead interval it may land in."""
        out = []
        new, live, free = self.new, self.live_mean, self.free_mean
        var = [lv + fv for lv, fv in zip(self.live_var, self.free_var, strict=True)]
        before = (0.0, float(self.waiting_live), float(self.idle), 0.0)
        for g in range(len(self.look_ahead)):
            share = new[g] - before[0]
            if share > 0.0:
                gap = (before[1] + live[g]) / 2 - (before[2] + free[g]) / 2
                # + 0.5: continuity, since "no agent" means live answers due >= agents free
                out.append((share, (before[0] + new[g]) / 2, gap + 0.5, (before[3] + var[g]) / 2))
            before = (new[g], live[g], free[g], var[g])
        return tuple(out)

    def expected_abandons(self, extra: int = 0) -> float:
        """A lower bound on the live answers that will find no agent, from the calls in flight
        (and `extra` new ones): the largest expected excess of live answers over free agents."""
        return max(
            _expected_excess(
                self.live_mean[g] + extra * self.new[g] - self.free_mean[g],
                self.live_var[g] + extra * self.new[g] * (1 - self.new[g]) + self.free_var[g],
            )
            for g in range(len(self.look_ahead))
        )


def forecast(
    model: PacingModel,
    *,
    idle: int,
    busy: Sequence[tuple[float, ...]],
    ringing: Sequence[tuple[float, ...]],
    waiting_live: int,
) -> Forecast:
    """Sum the model's rows: `busy` agents' chances to be free, `ringing` calls' to be live."""
    width = len(model.look_ahead)
    free_mean, free_var = _sums(model, busy, width, float(idle))
    live_mean, live_var = _sums(model, ringing, width, float(waiting_live))
    return Forecast(
        model.look_ahead,
        idle,
        waiting_live,
        free_mean,
        free_var,
        live_mean,
        live_var,
        model.call_row(0.0),
    )


def _sums(
    model: PacingModel, rows: Sequence[tuple[float, ...]], width: int, base: float
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    if not rows:
        return (base,) * width, (0.0,) * width
    means = tuple(base + sum(column) for column in zip(*rows, strict=True))
    variances = tuple(sum(column) for column in zip(*map(model.variance, rows), strict=True))
    return means, variances


def _at_least_zero(mean: float, variance: float) -> float:
    """P(X >= 0) for X normal."""
    if variance <= 1e-12:
        return 1.0 if mean >= 0 else 0.0
    return 0.5 * (1.0 + math.erf(mean / math.sqrt(2.0 * variance)))


def _expected_excess(mean: float, variance: float) -> float:
    """E[max(X, 0)] for X normal."""
    if variance <= 1e-12:
        return max(mean, 0.0)
    sigma = math.sqrt(variance)
    z = mean / sigma
    density = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return mean * 0.5 * (1.0 + math.erf(z / math.sqrt(2.0))) + sigma * density
