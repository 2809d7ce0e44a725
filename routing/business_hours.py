"""Business-hours calendars: weekly opening hours in one IANA time zone, minus holidays, and the
clock SLA targets run on ("business seconds between t0 and t1", "when N business seconds end").

Wall times are read as RFC 5545 reads them: a time that occurs twice (clocks going back) means
its first occurrence; a time that does not occur (clocks jumping forward) is read with the offset
in force before the jump. So 00:00-24:00 on a fall-back day is 25 hours, on a spring-forward
day 23. Times are epoch seconds (floats); the module is pure (standard library only).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_SECONDS = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far ahead a due time is looked for: a calendar open one hour a year still ends.
MAX_SEARCH_DAYS = 3 * 366

Span = tuple[int, int]  # seconds after local midnight: [open, close), close at most 86400


class CalendarError(ValueError):
    """A calendar that cannot be used as given; `field` names the offending part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_clock(text: str, field: str) -> int:
    """'09:30' -> 34200 seconds after midnight; '24:00' is the end of the day."""
    hours, sep, minutes = text.partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2:
        raise CalendarError(field, f"{field}: {text!r} is not a time of day HH:MM")
    value = int(hours) * 3600 + int(minutes) * 60
    if int(minutes) > 59 or value > DAY_SECONDS:
        raise CalendarError(field, f"{field}: {text!r} is not between 00:00 and 24:00")
    return value


def format_clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday (0 = Monday) in `zone`, closed all day on `holidays` (local
    dates). An empty week is refused: no target could ever fall due on it."""

    zone: str
    week: Mapping[int, tuple[Span, ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
        except (KeyError, ValueError):
            raise CalendarError(
                "time_zone", f"unknown time zone {self.zone!r} (an IANA name such as Europe/Madrid)"
            ) from None
        for day, spans in self.week.items():
            name = f"hours.{WEEKDAYS[day]}" if day in range(7) else "hours"
            if day not in range(7):
                raise CalendarError(name, f"weekday {day} is not 0 (Monday) to 6 (Sunday)")
            previous_close = -1
            for start, end in spans:
                if not 0 <= start < end <= DAY_SECONDS:
                    raise CalendarError(name, f"{name}: opening before closing, within 00:00-24:00")
                if start < previous_close:
                    raise CalendarError(name, f"{name}: opening hours overlap or are out of order")
                previous_close = end
        if not any(self.week.get(day) for day in range(7)):
            raise CalendarError("hours", "hours: the calendar must be open at least once a week")

    @classmethod
    def always_open(cls) -> Calendar:
        """Every hour of every day (wall-clock seconds), in UTC."""
        return cls("UTC", {day: ((0, DAY_SECONDS),) for day in range(7)})

    @classmethod
    def from_hours(
        cls, zone: str, hours: Mapping[str, list[list[str]]], holidays: frozenset[date]
    ) -> Calendar:
        """From the API's form: {"mon": [["09:00", "17:00"]], ...}; missing days are closed."""
        week: dict[int, tuple[Span, ...]] = {}
        for name, spans in hours.items():
            if name not in WEEKDAYS:
                raise CalendarError("hours", f"hours: {name!r} is not one of {', '.join(WEEKDAYS)}")
            where = f"hours.{name}"
            week[WEEKDAYS.index(name)] = tuple(
                (parse_clock(a, where), parse_clock(b, where)) for a, b in spans
            )
        return cls(zone, week, holidays)

    @property
    def _tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)  # zoneinfo caches its instances: no cost per call

    def _instant(self, day: date, seconds: int) -> float:
        """Wall time `seconds` after midnight of `day`, as epoch seconds (fold=0: RFC 5545)."""
        moment = datetime.combine(day, time(), self._tz) + timedelta(seconds=seconds)
        # timedelta arithmetic on an aware datetime is wall-clock arithmetic: fold stays 0.
        return moment.timestamp()

    def _local_date(self, epoch: float) -> date:
        return datetime.fromtimestamp(epoch, self._tz).date()

    def open_spans(self, start: float) -> Iterator[tuple[float, float]]:
        """Open intervals [a, b) in epoch seconds, in order, from the local day before `start`'s
        (a span may cross into it) onwards, for at most MAX_SEARCH_DAYS days."""
        day = self._local_date(start) - timedelta(days=1)
        for offset in range(MAX_SEARCH_DAYS):
            current = day + timedelta(days=offset)
            if current in self.holidays:
                continue
            for open_at, close_at in self.week.get(current.weekday(), ()):
                a, b = self._instant(current, open_at), self._instant(current, close_at)
                if b > a:  # a span inside a spring-forward gap can be empty
                    yield a, b

    def business_seconds(self, t0: float, t1: float) -> float:
        """Open seconds in [t0, t1); 0 when t1 <= t0."""
        if t1 <= t0:
            return 0.0
        total = 0.0
        for a, b in self.open_spans(t0):
            if a >= t1:
                break
            total += max(0.0, min(b, t1) - max(a, t0))
        return total

    def add_business_seconds(self, t0: float, seconds: float) -> float:
        """The instant when `seconds` open seconds have passed since t0 (t0 itself for 0)."""
        if seconds <= 0:
            return t0
        left = float(seconds)
        for a, b in self.open_spans(t0):
            if b <= t0:
                continue
            begin = max(a, t0)
            if left <= b - begin:
                return begin + left
            left -= b - begin
        raise CalendarError("hours", f"no {seconds} business seconds within {MAX_SEARCH_DAYS} days")

    def is_open(self, moment: float) -> bool:
        for a, b in self.open_spans(moment):
            if a > moment:
                return False
            if a <= moment < b:
                return True
        return False
