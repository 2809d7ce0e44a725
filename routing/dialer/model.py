"""The pacing model: what recent calls say about answers, talk and wrap-up, as lookup tables.

From recent attempts: for a call ringing for r seconds, the chance it needs an agent (a live
answer, as AMD reports it) within the next t seconds, i.e. the hazard of the ring-time
distribution conditioned on the time already ringing. From recent calls: for an agent talking
for a seconds (or in wrap-up for b), the chance to be free within t. Tables are on a fixed grid
of look-ahead times; the pacer sums them, so a decision costs one addition per agent and call.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

# Look-ahead times (s): dense where new calls' answers start to arrive, sparse beyond.
LOOK_AHEAD: Final = (1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 25, 28, 32, 36)
MAX_RING_AGE: Final = 60  # s; an attempt settles long before (ring timeout + AMD)
MAX_TALK_AGE: Final = 1800  # s; talk ages beyond are read at this age
TALK_AGE_STEP: Final = 5  # s between rows of the talk table
MAX_WRAP_AGE: Final = 300  # s


@dataclass(frozen=True)
class AttemptTiming:
    """When, after being placed, an attempt needed an agent (live_at; None if it never did)
    and when it stopped being in flight (settled_at: the live or machine verdict, or the end)."""

    live_at: float | None
    settled_at: float

    def __post_init__(self) -> None:
        if self.settled_at < 0 or (self.live_at is not None and self.live_at != self.settled_at):
            raise ValueError("an attempt settles when it needs an agent, or when it ends")


@dataclass(frozen=True)
class Prior:
    """What the model assumes before a campaign has history, weighted as `weight` samples of
    each kind: a live answer with probability `live`, needing its agent uniformly between
    `live_from` and `live_to` s; talk exponential with mean `talk_mean`; wrap-up uniform up
    to twice `wrap_mean`. Deliberately generic: a few minutes of real calls outweigh it."""

    live: float = 0.25
    live_from: float = 6.0
    live_to: float = 26.0
    settle_to: float = 30.0
    talk_mean: float = 180.0
    wrap_mean: float = 15.0
    weight: float = 50.0


@dataclass(frozen=True)
class PacingModel:
    """Distributions on a 1-second grid (cumulative, from age 0):

    live_cdf[x]    P(needs an agent by x s after being placed)
    settled_cdf[x] P(no longer in flight by x s)
    talk_survival[x] P(talk lasts more than x s)
    wrap_cdf[x]    P(wrap-up over within x s)
    samples: how many attempts, talks and wrap-ups it was estimated from (for the log).
    """

    live_cdf: tuple[float, ...]
    settled_cdf: tuple[float, ...]
    talk_survival: tuple[float, ...]
    wrap_cdf: tuple[float, ...]
    samples: tuple[int, int, int] = (0, 0, 0)
    look_ahead: tuple[int, ...] = field(default=LOOK_AHEAD)

    def __post_init__(self) -> None:
        if len(self.live_cdf) != len(self.settled_cdf):
            raise ValueError("live_cdf and settled_cdf must cover the same ages")
        for name in ("live_cdf", "settled_cdf", "wrap_cdf"):
            values = getattr(self, name)
            if not values or any(b < a - 1e-12 for a, b in itertools.pairwise(values)):
                raise ValueError(f"{name} must be a non-empty non-decreasing sequence")
        if any(
            live > settled + 1e-12
            for live, settled in zip(self.live_cdf, self.settled_cdf, strict=True)
        ):
            raise ValueError("a call cannot need an agent without having settled")

    # -- what the pacer reads ----------------------------------------------------------

    @property
    def live_probability(self) -> float:
        """P(a new call ever needs an agent)."""
        return self.live_cdf[-1]

    def talk_row(self, age: float) -> tuple[float, ...]:
        """P(an agent talking for `age` s is free within each look-ahead time)."""
        return self._talk_row_at(min(int(age) // TALK_AGE_STEP, MAX_TALK_AGE // TALK_AGE_STEP))

    def wrap_row(self, age: float) -> tuple[float, ...]:
        return self._wrap_rows[min(int(age), len(self._wrap_rows) - 1)]

    def variance(self, row: tuple[float, ...]) -> tuple[float, ...]:
        """p(1 - p) of each entry of a row this model returned (computed once per row)."""
        key = id(row)  # rows live in this model's caches, so their ids stay theirs
        found = self._variances.get(key)
        if found is None:
            found = self._variances[key] = tuple(p * (1.0 - p) for p in row)
        return found

    @cached_property
    def _variances(self) -> dict[int, tuple[float, ...]]:
        return {}

    def call_row(self, age: float) -> tuple[float, ...]:
        """P(a call in flight for `age` s needs an agent within each look-ahead time)."""
        return self._call_rows[min(int(age), len(self._call_rows) - 1)]

    # -- tables ------------------------------------------------------------------------

    @cached_property
    def _call_rows(self) -> tuple[tuple[float, ...], ...]:
        live, settled, last = self.live_cdf, self.settled_cdf, len(self.live_cdf) - 1
        rows = []
        for age in range(MAX_RING_AGE + 1):
            still = 1.0 - settled[min(age, last)]
            if still <= 1e-9:
                rows.append(tuple(0.0 for _ in self.look_ahead))
                continue
            base = live[min(age, last)]
            rows.append(
                tuple(
                    min(1.0, max(0.0, (live[min(age + t, last)] - base) / still))
                    for t in self.look_ahead
                )
            )
        return tuple(rows)

    @cached_property
    def _wrap_rows(self) -> tuple[tuple[float, ...], ...]:
        cdf, last = self.wrap_cdf, len(self.wrap_cdf) - 1
        rows = []
        for age in range(MAX_WRAP_AGE + 1):
            left = 1.0 - cdf[min(age, last)]
            if left <= 1e-9:
                rows.append(tuple(1.0 for _ in self.look_ahead))
                continue
            base = cdf[min(age, last)]
            rows.append(tuple((cdf[min(age + t, last)] - base) / left for t in self.look_ahead))
        return tuple(rows)

    def _talk_row_at(self, index: int) -> tuple[float, ...]:
        """Row `index` (age index x TALK_AGE_STEP s) of the talk table, computed when first
        asked for: a campaign's agents visit a few hundred of its 361 rows."""
        cached = self._talk_cache.get(index)
        if cached is not None:
            return cached
        survival, wrap = self.talk_survival, self.wrap_cdf
        last, wrap_last = len(survival) - 1, len(wrap) - 1
        age = index * TALK_AGE_STEP
        alive = max(survival[min(age, last)], 1e-12)
        # pmf of the talk ending in each second after now, given it lasted `age` s
        ends = [
            (survival[min(age + r, last)] - survival[min(age + r + 1, last)]) / alive
            for r in range(max(self.look_ahead))
        ]
        # talk ends in second r (counted at its end), then wrap-up within t - r - 1
        row = tuple(
            min(1.0, sum(ends[r] * wrap[min(t - r - 1, wrap_last)] for r in range(t)))
            for t in self.look_ahead
        )
        self._talk_cache[index] = row
        return row

    @cached_property
    def _talk_cache(self) -> dict[int, tuple[float, ...]]:
        return {}

    # -- logging -----------------------------------------------------------------------

    @cached_property
    def fingerprint(self) -> str:
        """A short stable id, so a decision log can name the model it used."""
        import hashlib
        import json

        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "live_cdf": list(self.live_cdf),
            "settled_cdf": list(self.settled_cdf),
            "talk_survival": list(self.talk_survival),
            "wrap_cdf": list(self.wrap_cdf),
            "samples": list(self.samples),
            "look_ahead": list(self.look_ahead),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PacingModel:
        return cls(
            live_cdf=tuple(data["live_cdf"]),
            settled_cdf=tuple(data["settled_cdf"]),
            talk_survival=tuple(data["talk_survival"]),
            wrap_cdf=tuple(data["wrap_cdf"]),
            samples=(int(data["samples"][0]), int(data["samples"][1]), int(data["samples"][2])),
            look_ahead=tuple(int(t) for t in data["look_ahead"]),
        )


def estimate(
    attempts: Sequence[AttemptTiming],
    talks: Sequence[float],
    wraps: Sequence[float],
    prior: Prior | None = None,
    *,
    ringing: Sequence[float] = (),
    talking: Sequence[float] = (),
    wrapping: Sequence[float] = (),
) -> PacingModel:
    """The model of recent history: finished attempts, talks and wrap-ups, and (censored) the
    ages of those still going, so that early in a campaign the short ones, which finish first,
    do not pass for the whole distribution. Each one-second hazard blends the data with the
    prior's hazard as if `prior.weight` prior observations were at risk, so the model is
    defined from the first second and follows the data wherever it has some."""
    p = prior or Prior()
    ring_ages = MAX_RING_AGE + 1
    live_prior = [p.live * _uniform_cdf(x, p.live_from, p.live_to) for x in range(ring_ages)]
    other_prior = [(1 - p.live) * _uniform_cdf(x, 0.0, p.settle_to) for x in range(ring_ages)]
    live, other = _incidence(
        [
            [a.live_at for a in attempts if a.live_at is not None],
            [a.settled_at for a in attempts if a.live_at is None],
        ],
        ringing,
        [live_prior, other_prior],
        p.weight,
    )
    settled = [a + b for a, b in zip(live, other, strict=True)]
    talk_ages = MAX_TALK_AGE + 1
    talk_prior = [1.0 - math.exp(-x / p.talk_mean) for x in range(talk_ages)]
    (talk_cdf,) = _incidence([list(talks)], talking, [talk_prior], p.weight)
    wrap_ages = MAX_WRAP_AGE + 1
    wrap_prior = [_uniform_cdf(x, 0.0, 2 * p.wrap_mean) for x in range(wrap_ages)]
    (wrap,) = _incidence([list(wraps)], wrapping, [wrap_prior], p.weight)
    return PacingModel(
        live_cdf=_rounded(live),
        settled_cdf=_rounded(settled),
        talk_survival=_rounded([1.0 - c for c in talk_cdf]),
        wrap_cdf=_rounded(wrap),
        samples=(len(attempts), len(talks), len(wraps)),
    )


def _uniform_cdf(x: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (x - low) / (high - low)))


def _incidence(
    events: list[list[float]],
    censored: Sequence[float],
    priors: list[list[float]],
    weight: float,
) -> list[list[float]]:
    """Cumulative incidence of each cause by age 0, 1, ... (Aalen-Johansen on one-second
    bins: an event at v falls in bin ceil(v)). `censored` are ages of observations still
    going; `priors` each cause's prior cumulative incidence on the same ages."""
    ages = len(priors[0])
    start = [0] * (ages + 1)  # observations whose last bin is x (ages: beyond the table)
    deaths = [[0] * ages for _ in events]
    for cause, values in enumerate(events):
        for value in values:
            last = min(ages, max(0, math.ceil(value)))
            start[last] += 1
            if last < ages:
                deaths[cause][last] += 1
    for age in censored:
        start[min(ages, max(0, math.ceil(age)))] += 1
    at_risk, running = [0] * ages, start[ages]
    for x in range(ages - 1, -1, -1):
        running += start[x]
        at_risk[x] = running
    alive, totals = 1.0, [0.0] * len(events)
    out: list[list[float]] = [[] for _ in events]
    for x in range(ages):
        before = sum(prior[x - 1] if x else 0.0 for prior in priors)
        left = max(1e-12, 1.0 - before)
        hazard_sum = 0.0
        for cause, prior in enumerate(priors):
            prior_hazard = (prior[x] - (prior[x - 1] if x else 0.0)) / left
            hazard = (deaths[cause][x] + weight * prior_hazard) / (at_risk[x] + weight)
            totals[cause] += alive * hazard
            hazard_sum += hazard
            out[cause].append(min(1.0, totals[cause]))
        alive *= max(0.0, 1.0 - hazard_sum)
    return out


def _rounded(values: list[float]) -> tuple[float, ...]:
    # Rounded so that a model written to a log as JSON and read back is the same model.
    return tuple(round(v, 9) for v in values)
