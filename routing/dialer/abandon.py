"""Abandon-rate accounting per campaign, and the throttle that keeps a campaign inside it.

Computed from attempt records: the US rule over a rolling 30 days, the UK rule over 24 hours
(AMD false positives counted, flagged or estimated), the campaign's own day in either mode, and
a burst guard over the last 30 minutes (the policy's, looser limit). The throttle never lets a
campaign plan past its budget: the abandons it can still afford before some period's rate
would pass its limit; with less than one left it dials progressive (one call per free agent),
which cannot abandon for want of an agent, until it earns one back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from routing.dialer.attempts import CallResult, DialAttemptRecord
from routing.dialer.policy import CompliancePolicy, Jurisdiction


@dataclass(frozen=True)
class AbandonTally:
    """Live answers and abandoned calls placed in (start, end].

    estimated_false_positives (UK): AMD false positives not flagged on any record but
    estimated from the AMD's measured error rate; they count as live and as abandoned.
    """

    period: str
    start: datetime
    end: datetime
    live: int
    abandoned: int
    estimated_false_positives: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.abandoned <= self.live:
            raise ValueError(f"abandoned ({self.abandoned}) must be within 0..live ({self.live})")

    @property
    def rate(self) -> float | None:
        """Abandoned / live answers; None before the first live answer."""
        live = self.live + self.estimated_false_positives
        return (self.abandoned + self.estimated_false_positives) / live if live else None

    def budget(self, limit: float) -> float:
        """How many more abandoned calls keep the rate at or under `limit`: each is also a live
        answer, so x more are affordable while (a + x) / (l + x) <= limit."""
        live = self.live + self.estimated_false_positives
        abandoned = self.abandoned + self.estimated_false_positives
        return max(0.0, (limit * live - abandoned) / (1.0 - limit))

    def describe(self, limit: float) -> str:
        rate = self.rate
        shown = "no live answers" if rate is None else f"{rate:.2%}"
        return (
            f"{self.period}: {shown} of {limit * 100:.3g}% ({self.abandoned} of {self.live} live)"
        )


def tally(
    records: Iterable[DialAttemptRecord],
    start: datetime,
    end: datetime,
    policy: CompliancePolicy,
    *,
    period: str,
    amd_false_positive_rate: float = 0.0,
) -> AbandonTally:
    """The tally of attempts placed in (start, end] under the policy's jurisdiction.

    amd_false_positive_rate (UK only): the share of AMD "machine" verdicts estimated to be
    people, applied to the verdicts not already flagged as false positives.
    """
    if not 0.0 <= amd_false_positive_rate < 1.0:
        raise ValueError("amd_false_positive_rate must be in [0, 1)")
    uk = policy.jurisdiction is Jurisdiction.UK
    live = abandoned = unflagged_machines = 0
    for record in records:
        if not start < record.placed_at <= end:
            continue
        if record.live or (uk and record.amd_false_positive):
            live += 1
            abandoned += policy.counts_as_abandoned(record)
        elif record.result is CallResult.MACHINE and record.amd_used:
            unflagged_machines += 1
    estimated = amd_false_positive_rate * unflagged_machines if uk else 0.0
    return AbandonTally(period, start, end, live, abandoned, estimated)


def start_of_day(now: datetime, zone: str) -> datetime:
    """Midnight of `now`'s date in the campaign's zone, as an aware instant."""
    local = now.astimezone(ZoneInfo(zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class AbandonStanding:
    """A campaign's tallies: the legal period (30 days US, 24 hours UK) and its own day under
    the abandon limit, and (if the policy has a burst guard) its recent window under the
    burst limit."""

    legal: AbandonTally
    today: AbandonTally
    limit: float
    recent: AbandonTally | None = None
    burst_limit: float | None = None

    @classmethod
    def of(
        cls,
        records: Iterable[DialAttemptRecord],
        now: datetime,
        policy: CompliancePolicy,
        *,
        campaign_zone: str,
        amd_false_positive_rate: float = 0.0,
    ) -> AbandonStanding:
        if now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        rows = list(records)
        period = policy.abandon_period
        name = "last 24 hours" if period == timedelta(hours=24) else "last 30 days"
        # A tiny step back so that an attempt placed exactly at midnight counts as today's.
        midnight = start_of_day(now, campaign_zone) - timedelta(microseconds=1)
        kw = {"amd_false_positive_rate": amd_false_positive_rate}
        recent = None
        if policy.burst_window is not None:
            minutes = f"last {policy.burst_window.total_seconds() / 60:g} minutes"
            recent = tally(rows, now - policy.burst_window, now, policy, period=minutes, **kw)
        return cls(
            legal=tally(rows, now - period, now, policy, period=name, **kw),
            today=tally(rows, midnight, now, policy, period="today", **kw),
            limit=policy.abandon_limit,
            recent=recent,
            burst_limit=policy.burst_limit if recent is not None else None,
        )

    def throttle(self) -> Throttle:
        periods = [(self.legal, self.limit), (self.today, self.limit)]
        if self.recent is not None and self.burst_limit is not None:
            periods.append((self.recent, self.burst_limit))
        return throttle(periods)


@dataclass(frozen=True)
class Throttle:
    """What the abandon rule allows now. progressive: dial one call per free agent only.
    budget: abandons still affordable (the least over the periods); reason: why throttled."""

    progressive: bool
    budget: float
    reason: str | None
    periods: tuple[tuple[AbandonTally, float], ...] = ()


def throttle(periods: Sequence[tuple[AbandonTally, float]]) -> Throttle:
    """Progressive while any period could not afford one more abandoned call under its
    limit; `periods` pairs each tally with its limit."""
    if not periods:
        raise ValueError("the throttle needs at least one period's tally")
    budget, tight, limit = min(((t.budget(lim), t, lim) for t, lim in periods), key=_first)
    if budget >= 1.0:
        return Throttle(False, budget, None, tuple(periods))
    reason = (
        f"throttled to progressive: one more abandoned call would pass the limit "
        f"({tight.describe(limit)})"
    )
    return Throttle(True, budget, reason, tuple(periods))


def _first(item: tuple[float, AbandonTally, float]) -> float:
    return item[0]


def live_answers_to_earn(tally_: AbandonTally, limit: float) -> int:
    """Live answers without an abandon needed before one abandoned call is affordable again."""
    live = tally_.live + tally_.estimated_false_positives
    abandoned = tally_.abandoned + tally_.estimated_false_positives
    # (a + 1) / (l + n + 1) <= limit  <=>  n >= (a + 1) / limit - l - 1
    return max(0, math.ceil((abandoned + 1) / limit - live - 1 - 1e-9))
