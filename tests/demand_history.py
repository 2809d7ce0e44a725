"""Generated demand history with a weekly season, for the forecast's tests and bench/planning.py.

A plain module (no pytest), like tests/builders.py, so the bench can use it too.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from routing.planning.forecast import IntervalActual

# Monday to Sunday: quieter Fridays and Saturdays, closed on Sundays.
DAY_FACTOR = (1.0, 0.95, 0.9, 0.92, 0.8, 0.45, 0.0)


def seasonal_history(
    weeks: int,
    *,
    start: datetime,
    peak_contacts: float = 40.0,
    aht_seconds: float = 300.0,
    seed: int = 1,
) -> list[IntervalActual]:
    """Interval actuals from `start` (a local Monday 00:00): open 08:00-20:00 with a morning and
    an afternoon peak; Poisson contacts around that shape, and each interval's handle time a sum
    of exponential handle times (so AHT is noisier in quiet intervals, as in a real centre)."""
    rng = random.Random(seed)  # test data, not security
    actuals = []
    for index in range(weeks * 7 * 96):
        at = start + timedelta(minutes=15 * index)
        hour = at.hour + at.minute / 60.0
        if not 8.0 <= hour < 20.0:
            continue
        contacts = _poisson(rng, expected_contacts(at, peak_contacts))
        if contacts == 0:
            continue
        # AHT drifts through the day (longer calls in the afternoon).
        mean = aht_seconds * (0.9 + 0.2 * (hour - 8.0) / 12.0)
        handle = rng.gammavariate(contacts, mean)
        actuals.append(IntervalActual(at.astimezone(UTC), contacts, contacts, handle))
    return actuals


def expected_contacts(at: datetime, peak_contacts: float) -> float:
    """The season itself: the mean the Poisson draws scatter around (0 while closed)."""
    hour = at.hour + at.minute / 60.0
    if not 8.0 <= hour < 20.0:
        return 0.0
    shape = math.exp(-((hour - 10.5) ** 2) / 3.0) + 0.8 * math.exp(-((hour - 15.0) ** 2) / 4.0)
    return peak_contacts * DAY_FACTOR[at.weekday()] * (0.15 + shape)


def _poisson(rng: random.Random, rate: float) -> int:
    """A Poisson draw: Knuth's product method for small rates, the normal beyond."""
    if rate <= 0:
        return 0
    if rate > 60:
        return max(0, round(rng.gauss(rate, math.sqrt(rate))))
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
