"""Forecast of contacts and AHT per 15-minute interval: the same interval's mean over recent
weeks (holidays left out of the history and flagged in the forecast), and its accuracy (WAPE)
on held-out weeks beside the naive forecast "the same interval last week".

Weeks are counted in the centre's wall-clock time, so Monday 09:00 follows Monday 09:00 across
a daylight-saving change.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

INTERVAL = timedelta(minutes=15)
WEEK = timedelta(weeks=1)
MAX_WEEKS = 52


@dataclass(frozen=True)
class IntervalActual:
    """What one interval really had: contacts offered, contacts handled, their handle time
    (talk + hold + after-call work, seconds, summed)."""

    start: datetime
    contacts: int
    handled: int = 0
    handle_seconds: float = 0.0

    @property
    def aht_seconds(self) -> float | None:
        return self.handle_seconds / self.handled if self.handled else None


@dataclass(frozen=True)
class History:
    """Interval actuals observed over [start, end): an interval inside with no actual had no
    contacts (the interval tables keep no empty rows); one outside is unknown."""

    start: datetime
    end: datetime
    actuals: dict[datetime, IntervalActual]

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a history's start and end must carry a time zone")
        if self.end < self.start:
            raise ValueError("a history must end after it starts")

    @classmethod
    def of(cls, start: datetime, end: datetime, actuals: Iterable[IntervalActual]) -> History:
        """Actuals keyed by their UTC start; two rows of one interval (e.g. two channels) add."""
        keyed: dict[datetime, IntervalActual] = {}
        for actual in actuals:
            at = actual.start.astimezone(UTC)
            seen = keyed.get(at) or IntervalActual(at, 0)
            keyed[at] = IntervalActual(
                at, seen.contacts + actual.contacts, seen.handled + actual.handled,
                seen.handle_seconds + actual.handle_seconds,
            )  # fmt: skip
        return cls(start.astimezone(UTC), end.astimezone(UTC), keyed)

    def covers(self, at: datetime) -> bool:
        return self.start <= at and at + INTERVAL <= self.end

    def actual(self, at: datetime) -> IntervalActual | None:
        """The interval's actual, a zero one if it is covered but had nothing, None if unknown."""
        at = at.astimezone(UTC)
        if not self.covers(at):
            return None
        return self.actuals.get(at) or IntervalActual(at, 0)

    def until(self, cutoff: datetime) -> History:
        """What was known at `cutoff`: the history cut there, as a forecaster then would see it."""
        end = min(self.end, cutoff.astimezone(UTC))
        kept = {at: a for at, a in self.actuals.items() if at + INTERVAL <= end}
        return History(self.start, max(self.start, end), kept)


@dataclass(frozen=True)
class IntervalForecast:
    """One interval's forecast: contacts and AHT (None when no history had a handled contact),
    how many past weeks it averaged, and whether its day is a holiday (forecast as a normal day:
    the history has no holiday like it, so the planner should adjust it by hand)."""

    start: datetime
    contacts: float
    aht_seconds: float | None
    weeks_used: int
    holiday: bool


def interval_starts(start: datetime, end: datetime) -> list[datetime]:
    """The 15-minute interval starts (UTC) from `start`, floored to an interval, up to `end`."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must carry a time zone")
    at = start.astimezone(UTC)
    at = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
    starts = []
    while at < end:
        starts.append(at)
        at += INTERVAL
    return starts


def weeks_before(at: datetime, weeks: int, zone: ZoneInfo) -> datetime:
    """The same wall-clock interval `weeks` weeks earlier in `zone`, in UTC."""
    local = at.astimezone(zone).replace(tzinfo=None) - weeks * WEEK
    return local.replace(tzinfo=zone).astimezone(UTC)


def _local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def same_interval_mean(
    history: History,
    starts: Sequence[datetime],
    zone: ZoneInfo,
    weeks: int = 4,
    holidays: Collection[date] = (),
) -> list[IntervalForecast]:
    """Each interval's mean over the last `weeks` weeks the history covers, holidays skipped
    (looking further back for each skipped one); AHT is the handle time over those weeks
    divided by their handled contacts, so a busy week weighs more than a quiet one."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be 1 to {MAX_WEEKS}, got {weeks}")
    forecasts = []
    for at in starts:
        used: list[IntervalActual] = []
        # Back week by week until enough weeks are found or the history has begun; weeks after
        # the history's end (a forecast far ahead) are unknown and simply passed over.
        for back in range(1, 2 * MAX_WEEKS + len(holidays) + 1):
            earlier = weeks_before(at, back, zone)
            if earlier < history.start:
                break
            actual = history.actual(earlier)
            if actual is not None and _local_day(earlier, zone) not in holidays:
                used.append(actual)
                if len(used) == weeks:
                    break
        forecasts.append(_forecast(at, used, zone, holidays))
    return forecasts


def last_week(
    history: History, starts: Sequence[datetime], zone: ZoneInfo, holidays: Collection[date] = ()
) -> list[IntervalForecast]:
    """The naive baseline: each interval as it was exactly one week before."""
    forecasts = []
    for at in starts:
        actual = history.actual(weeks_before(at, 1, zone))
        forecasts.append(_forecast(at, [actual] if actual is not None else [], zone, holidays))
    return forecasts


def _forecast(
    at: datetime, used: list[IntervalActual], zone: ZoneInfo, holidays: Collection[date]
) -> IntervalForecast:
    handled = sum(a.handled for a in used)
    return IntervalForecast(
        start=at,
        contacts=sum(a.contacts for a in used) / len(used) if used else 0.0,
        aht_seconds=sum(a.handle_seconds for a in used) / handled if handled else None,
        weeks_used=len(used),
        holiday=_local_day(at, zone) in holidays,
    )


@dataclass(frozen=True)
class Accuracy:
    """Errors on held-out weeks, each forecast made with only the weeks before its own.

    contacts_wape = Σ|actual - forecast| / Σ actual over the held-out intervals (holidays left
    out: a holiday is a known exception, not the method's error); aht_wape weighs each
    interval's AHT error by its handled contacts. None where the denominator is empty.
    """

    held_out_weeks: int
    intervals: int
    contacts_wape: float | None
    baseline_contacts_wape: float | None
    aht_wape: float | None
    baseline_aht_wape: float | None

    @property
    def wape_ratio(self) -> float | None:
        """The method's WAPE over the naive baseline's (below 1: the method is better)."""
        if self.contacts_wape is None or not self.baseline_contacts_wape:
            return None
        return self.contacts_wape / self.baseline_contacts_wape


def wape(actual: Sequence[float], forecast: Sequence[float]) -> float | None:
    """Weighted absolute percentage error Σ|a - f| / Σ a (None when nothing happened)."""
    if len(actual) != len(forecast):
        raise ValueError("actual and forecast must be the same length")
    total = sum(actual)
    if total <= 0:
        return None
    return sum(abs(a - f) for a, f in zip(actual, forecast, strict=True)) / total


def _aht_wape(
    actuals: Sequence[IntervalActual], forecasts: Sequence[IntervalForecast]
) -> float | None:
    error = total = 0.0
    for actual, forecast in zip(actuals, forecasts, strict=True):
        if actual.aht_seconds is None or forecast.aht_seconds is None:
            continue
        error += actual.handled * abs(actual.aht_seconds - forecast.aht_seconds)
        total += actual.handle_seconds
    return error / total if total > 0 else None


def backtest(
    history: History,
    zone: ZoneInfo,
    weeks: int = 4,
    held_out_weeks: int = 2,
    holidays: Collection[date] = (),
) -> Accuracy:
    """Hold out the history's last `held_out_weeks` weeks and forecast each one from the weeks
    before it (a rolling origin, as the planner would have), by the method and by last week."""
    if not 1 <= held_out_weeks <= MAX_WEEKS:
        raise ValueError(f"held_out_weeks must be 1 to {MAX_WEEKS}, got {held_out_weeks}")
    actuals: list[IntervalActual] = []
    method: list[IntervalForecast] = []
    naive: list[IntervalForecast] = []
    for index in range(held_out_weeks, 0, -1):
        begin = history.end - index * WEEK
        if begin - WEEK < history.start:
            continue  # no week before it to forecast from
        known = history.until(begin)
        starts = [
            at
            for at in interval_starts(begin, begin + WEEK)
            if history.covers(at) and _local_day(at, zone) not in holidays
        ]
        actuals += [a for a in (history.actual(at) for at in starts) if a is not None]
        method += same_interval_mean(known, starts, zone, weeks, holidays)
        naive += last_week(known, starts, zone, holidays)
    counted = [a.contacts for a in actuals]
    return Accuracy(
        held_out_weeks=held_out_weeks,
        intervals=len(actuals),
        contacts_wape=_rounded(wape(counted, [f.contacts for f in method])),
        baseline_contacts_wape=_rounded(wape(counted, [f.contacts for f in naive])),
        aht_wape=_rounded(_aht_wape(actuals, method)),
        baseline_aht_wape=_rounded(_aht_wape(actuals, naive)),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 6)
