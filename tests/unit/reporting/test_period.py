"""The viewer's "today": their own midnight to midnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contactcentre.reporting.period import day_bounds


def test_today_runs_from_the_viewers_midnight():
    """At 01:30 UTC it is still the previous evening in New York: that day is today there."""
    start, end = day_bounds(datetime(2026, 3, 2, 1, 30, tzinfo=UTC), "America/New_York")
    assert start.isoformat() == "2026-03-01T00:00:00-05:00"
    assert end - start == timedelta(days=1)


def test_an_unknown_time_zone_means_utc():
    """A time zone the database does not know falls back to UTC rather than failing."""
    start, _ = day_bounds(datetime(2026, 3, 2, 1, 30, tzinfo=UTC), "Mars/Olympus_Mons")
    assert start == datetime(2026, 3, 2, tzinfo=UTC)
