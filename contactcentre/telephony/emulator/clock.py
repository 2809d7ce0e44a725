"""The emulated clock: emulated seconds pass `time_scale` times faster than real ones.

Every wait in the emulator goes through a `Clock` and a condition variable, so a call can be
interrupted (hang-up, redirect, input) the moment something changes, and tests can compress time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """Scaled time: `time_scale=50` makes a 10 s Pause last 0.2 s of real time."""

    def __init__(self, time_scale: float = 1.0) -> None:
        if time_scale <= 0:
            raise ValueError(f"time_scale must be positive, got {time_scale!r}")
        self.time_scale = time_scale
        self._real_start = time.monotonic()
        self._wall_start = datetime.now(UTC)

    def elapsed(self) -> float:
        """Emulated seconds since the clock started."""
        return (time.monotonic() - self._real_start) * self.time_scale

    def now(self) -> datetime:
        """Emulated wall-clock time (UTC); runs fast when time_scale > 1."""
        return self._wall_start + timedelta(seconds=self.elapsed())

    def real(self, emulated_seconds: float) -> float:
        """Real seconds that correspond to `emulated_seconds`."""
        return max(0.0, emulated_seconds) / self.time_scale

    def wait_until(
        self,
        cond: threading.Condition,
        predicate: Callable[[], bool],
        emulated_seconds: float | None,
    ) -> bool:
        """Wait on `cond` (held by the caller) until predicate() or the emulated time passes."""
        timeout = None if emulated_seconds is None else self.real(emulated_seconds)
        return cond.wait_for(predicate, timeout=timeout)


def rfc2822(moment: datetime | None) -> str | None:
    """Format a datetime the way Twilio's REST API does ("Tue, 31 Aug 2010 20:36:28 +0000")."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
