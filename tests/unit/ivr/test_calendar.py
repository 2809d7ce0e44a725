"""Tests for ivr.calendar: opening hours and holidays in an IANA time zone, across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.calendar import BusinessCalendar, OpeningRange, parse_calendar, parse_range

from .fakes import NEW_YORK

WEEKDAYS_9_TO_6 = {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
CALENDAR = parse_calendar("America/New_York", WEEKDAYS_9_TO_6, ["2025-07-04", "12-25"])


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (datetime(2025, 1, 15, 17, 59, tzinfo=NEW_YORK), "open"),  # winter, EST
        (datetime(2025, 1, 15, 18, 0, tzinfo=NEW_YORK), "closed"),
        (datetime(2025, 7, 15, 17, 59, tzinfo=NEW_YORK), "open"),  # summer, EDT
        (datetime(2025, 7, 15, 18, 0, tzinfo=NEW_YORK), "closed"),
        (datetime(2025, 1, 15, 9, 0, tzinfo=NEW_YORK), "open"),
        (datetime(2025, 1, 15, 8, 59, tzinfo=NEW_YORK), "closed"),
    ],
)
def test_range_includes_start_and_excludes_end(moment: datetime, status: str) -> None:
    """09:00-18:00 is open at 09:00 and 17:59 and closed at 18:00, in winter and summer."""
    assert CALENDAR.status(moment) == status


def test_utc_instants_are_judged_in_local_time_across_dst() -> None:
    """22:59 UTC is 17:59 in New York in summer (EDT) but 18:59 in spring before DST."""
    summer = datetime(2025, 7, 15, 21, 59, tzinfo=UTC)  # 17:59 EDT
    assert CALENDAR.status(summer) == "open"
    assert CALENDAR.status(datetime(2025, 7, 15, 22, 0, tzinfo=UTC)) == "closed"  # 18:00 EDT
    before_dst = datetime(2025, 3, 7, 22, 59, tzinfo=UTC)  # Friday 17:59 EST
    after_dst = datetime(2025, 3, 10, 22, 59, tzinfo=UTC)  # Monday 18:59 EDT
    assert CALENDAR.status(before_dst) == "open"
    assert CALENDAR.status(after_dst) == "closed"


def test_dst_change_day_keeps_local_opening_hours() -> None:
    """On the day clocks go back (Sunday) and the Monday after, hours stay in local time."""
    calendar = parse_calendar("America/New_York", {"mon": ["09:00-18:00"]}, [])
    monday_after = datetime(2025, 11, 3, 14, 0, tzinfo=UTC)  # 09:00 EST
    assert calendar.status(monday_after) == "open"
    assert calendar.status(datetime(2025, 11, 3, 13, 59, tzinfo=UTC)) == "closed"


def test_fixed_and_yearly_holidays() -> None:
    """A dated holiday applies once; an MM-DD holiday applies every year."""
    assert CALENDAR.status(datetime(2025, 7, 4, 10, tzinfo=NEW_YORK)) == "holiday"
    assert CALENDAR.status(datetime(2026, 7, 4, 10, tzinfo=NEW_YORK)) == "closed"  # Saturday
    assert CALENDAR.status(datetime(2026, 12, 25, 10, tzinfo=NEW_YORK)) == "holiday"


def test_holiday_is_the_local_date_not_the_utc_date() -> None:
    """Late on Christmas Eve in New York is already the 25th in UTC but not a holiday locally."""
    christmas_eve_evening = datetime(2025, 12, 25, 2, 0, tzinfo=UTC)  # 24th, 21:00 EST
    assert CALENDAR.status(christmas_eve_evening) == "closed"


def test_yaml_dates_are_accepted_as_holidays() -> None:
    """YAML turns 2025-12-31 into a date; the calendar accepts it."""
    calendar = parse_calendar("UTC", {}, [date(2025, 12, 31)])
    assert calendar.status(datetime(2025, 12, 31, 12, tzinfo=UTC)) == "holiday"


def test_until_midnight_and_split_ranges() -> None:
    """24:00 closes at midnight; a day can have a lunch break."""
    calendar = parse_calendar("UTC", {"mon": ["08:00-12:00", "13:00-24:00"]}, [])
    monday = datetime(2025, 3, 10, tzinfo=UTC)
    assert calendar.status(monday.replace(hour=12, minute=30)) == "closed"
    assert calendar.status(monday.replace(hour=23, minute=59, second=59)) == "open"


def test_invalid_calendars_are_rejected() -> None:
    """Bad zones, weekdays, ranges and holidays fail with a clear message."""
    with pytest.raises(ValueError, match="unknown IANA time zone"):
        BusinessCalendar("Nowhere/City", {})
    with pytest.raises(ValueError, match="unknown weekday"):
        parse_calendar("UTC", {"funday": ["09:00-10:00"]}, [])
    with pytest.raises(ValueError, match="ends"):
        parse_range("18:00-09:00")
    with pytest.raises(ValueError, match="holiday must be"):
        parse_calendar("UTC", {}, ["Christmas"])
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.status(datetime(2025, 1, 1, 12))


@given(st.datetimes(timezones=st.just(UTC)))
def test_status_is_always_one_of_three(moment: datetime) -> None:
    """Any aware instant is open, closed or holiday, and weekends are never open."""
    status = CALENDAR.status(moment)
    assert status in ("open", "closed", "holiday")
    if moment.astimezone(NEW_YORK).weekday() >= 5:
        assert status != "open"


def test_opening_range_contains() -> None:
    """OpeningRange is half-open."""
    span = OpeningRange(time(9), time(18))
    assert span.contains(time(9)) and not span.contains(time(18))
