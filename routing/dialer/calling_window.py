"""Calling hours in the called party's local time, checked in every candidate time zone.

A number may map to several zones (an area code across a zone line) or to none: it is callable
only when every candidate zone is inside the window, and never when the zone is unknown.
zoneinfo supplies the offsets, daylight saving time included (and its absence, as in Arizona).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routing.dialer.legal import (
    LEGAL_EARLIEST,
    LEGAL_LATEST,
    IllegalSetting,
    LegalOverride,
    Rule,
)


@dataclass(frozen=True)
class CallingWindow:
    """Local hours [start, end): 8:00:00 is open, 21:00:00 is not (20:59:59 is the last second).

    A campaign may narrow the legal window; widening it needs `override`, a LegalOverride for
    the calling window whose value covers [start, end).
    """

    start: time = LEGAL_EARLIEST
    end: time = LEGAL_LATEST
    override: LegalOverride | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise IllegalSetting("calling_window", "hours are local wall-clock times, no zone")
        if not self.start < self.end:
            raise IllegalSetting(
                "calling_window",
                f"impossible window {self.start}-{self.end}: the start must be before the end",
            )
        if self.override is not None and self.override.rule is not Rule.CALLING_WINDOW:
            raise IllegalSetting("calling_window", f"a {self.override.rule} override was given")
        if self.start < LEGAL_EARLIEST or self.end > LEGAL_LATEST:
            allowed = self.override.value if self.override is not None else None
            if not (
                isinstance(allowed, tuple) and allowed[0] <= self.start and self.end <= allowed[1]
            ):
                raise IllegalSetting(
                    "calling_window",
                    f"{self.start}-{self.end} is wider than the legal {LEGAL_EARLIEST}-"
                    f"{LEGAL_LATEST}; only an audited override can allow it",
                )

    def is_open(self, local: time) -> bool:
        """Whether a local wall-clock time is inside the window."""
        return self.start <= local.replace(tzinfo=None) < self.end

    def check(self, zones: Sequence[str], now: datetime) -> WindowCheck:
        """The window in each candidate zone at `now` (aware); unknown zone names are closed."""
        if now.utcoffset() is None:
            raise ValueError("now must be timezone-aware")
        verdicts = []
        for name in zones:
            zone = _zone(name)
            if zone is None:
                verdicts.append(ZoneTime(name, None, False))
                continue
            local = now.astimezone(zone)
            verdicts.append(ZoneTime(name, local, self.is_open(local.time())))
        return WindowCheck(tuple(verdicts))


@dataclass(frozen=True)
class ZoneTime:
    """One candidate zone: its local time now (None when the zone is unknown) and the verdict."""

    zone: str
    local: datetime | None
    open: bool


@dataclass(frozen=True)
class WindowCheck:
    """The verdict over all candidate zones: open only if there is one and every one is open."""

    zones: tuple[ZoneTime, ...]

    @property
    def open(self) -> bool:
        return bool(self.zones) and all(z.open for z in self.zones)

    @property
    def closed(self) -> tuple[ZoneTime, ...]:
        return tuple(z for z in self.zones if not z.open)

    def explain(self) -> str:
        """Why the window is closed, in words, or "open"."""
        if not self.zones:
            return "the number's time zone is unknown"
        if self.open:
            return "open"
        parts = [
            f"{z.zone} is unknown" if z.local is None else f"{z.local:%H:%M:%S} in {z.zone}"
            for z in self.closed
        ]
        return "outside calling hours: " + ", ".join(parts)


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, malformed, a folder
        return None
