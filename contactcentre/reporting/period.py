"""The reporting period a viewer means by "today": their own midnight to midnight.

An agent in Madrid and a supervisor in New York each see their own day's numbers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Midnight to midnight of `now`'s day in the viewer's time zone (UTC if it is unknown)."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)
