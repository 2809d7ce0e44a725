"""Business hours: a weekly calendar plus holiday dates, in one IANA time zone.
Ranges include their start and exclude their end: a 09:00-18:00 day is closed at 18:00."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HoursStatus = Literal["open", "closed", "holiday"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_YEARLY = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class OpeningRange:
    """Open from `start` (inclusive) to `end` (exclusive); `end` 24:00 is written as time.max."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"opening range ends ({self.end}) before it starts ({self.start})")

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly opening ranges per weekday, fixed holiday dates and yearly (MM-DD) holidays."""

    timezone: str
    weekly: Mapping[str, tuple[OpeningRange, ...]]
    holidays: frozenset[date] = frozenset()
    yearly_holidays: frozenset[tuple[int, int]] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {self.timezone!r}") from exc
        unknown = set(self.weekly) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown weekday(s) {sorted(unknown)}; use {', '.join(WEEKDAYS)}")

    def status(self, now: datetime) -> HoursStatus:
        """Whether the business is open at the aware instant `now`, in its own time zone."""
        if now.tzinfo is None:
            raise ValueError("BusinessCalendar.status needs a timezone-aware datetime")
        local = now.astimezone(ZoneInfo(self.timezone))
        today = local.date()
        if today in self.holidays or (today.month, today.day) in self.yearly_holidays:
            return "holiday"
        ranges = self.weekly.get(WEEKDAYS[local.weekday()], ())
        moment = local.time().replace(tzinfo=None)
        return "open" if any(r.contains(moment) for r in ranges) else "closed"


def parse_range(text: str) -> OpeningRange:
    """Parse "09:00-18:00"; "24:00" as an end means until midnight."""
    match = _RANGE.match(text)
    if match is None:
        raise ValueError(f"opening range must look like '09:00-18:00', got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start = time(h1, m1)
    end = time.max if (h2, m2) == (24, 0) else time(h2, m2)
    return OpeningRange(start, end)


def parse_calendar(
    timezone: str, weekly: Mapping[str, Sequence[str]], holidays: Sequence[object]
) -> BusinessCalendar:
    """Build a calendar from YAML values; holidays are dates (YYYY-MM-DD) or yearly MM-DD."""
    fixed: set[date] = set()
    yearly: set[tuple[int, int]] = set()
    for item in holidays:
        if isinstance(item, date):
            fixed.add(item)
            continue
        text = str(item)
        match = _YEARLY.match(text)
        if match:
            yearly.add((int(match.group(1)), int(match.group(2))))
            continue
        try:
            fixed.add(date.fromisoformat(text))
        except ValueError as exc:
            raise ValueError(f"holiday must be YYYY-MM-DD or MM-DD, got {text!r}") from exc
    ranges = {day.lower(): tuple(parse_range(r) for r in spans) for day, spans in weekly.items()}
    return BusinessCalendar(timezone, ranges, frozenset(fixed), frozenset(yearly))
