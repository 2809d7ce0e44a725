"""Business-hours calendars on worked examples (a weekend, a holiday, both DST change days in
Madrid and New York) and properties on random calendars and instants."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from routing.business_hours import Calendar, CalendarError, parse_clock

HOUR = 3600.0
MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")


def at(zone: ZoneInfo, *parts: int) -> float:
    return datetime(*parts, tzinfo=zone).timestamp()  # type: ignore[misc]


def office(zone: str = "Europe/Madrid", holidays: frozenset[date] = frozenset()) -> Calendar:
    """Monday to Friday, 09:00-17:00."""
    return Calendar.from_hours(
        zone, {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}, holidays
    )


def every_day(zone: str, spans: list[list[str]]) -> Calendar:
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return Calendar.from_hours(zone, {d: spans for d in days}, frozenset())


def test_four_business_hours_from_friday_afternoon_fall_due_on_monday_at_noon() -> None:
    """Friday 16:00 + 4 business hours (9-17 on weekdays) = Monday 12:00: 1 h on Friday, 3 h
    on Monday; the weekend is not counted."""
    start = at(MADRID, 2026, 5, 8, 16, 0)  # a Friday
    due = office().add_business_seconds(start, 4 * HOUR)
    assert due == at(MADRID, 2026, 5, 11, 12, 0)
    assert office().business_seconds(start, due) == 4 * HOUR


def test_a_holiday_moves_the_due_time_a_day_on() -> None:
    """The same ticket with Monday a holiday falls due on Tuesday at 12:00."""
    calendar = office(holidays=frozenset({date(2026, 5, 11)}))
    start = at(MADRID, 2026, 5, 8, 16, 0)
    assert calendar.add_business_seconds(start, 4 * HOUR) == at(MADRID, 2026, 5, 12, 12, 0)
    assert calendar.business_seconds(start, at(MADRID, 2026, 5, 12, 9, 0)) == 1 * HOUR
    assert not calendar.is_open(at(MADRID, 2026, 5, 11, 10, 0))
    assert calendar.is_open(at(MADRID, 2026, 5, 12, 10, 0))


def test_a_whole_day_is_23_hours_in_spring_and_25_in_autumn() -> None:
    """Open 00:00-24:00: Madrid's 29 March 2026 has 23 open hours, 25 October 2026 has 25."""
    calendar = every_day("Europe/Madrid", [["00:00", "24:00"]])
    spring = calendar.business_seconds(at(MADRID, 2026, 3, 29), at(MADRID, 2026, 3, 30))
    autumn = calendar.business_seconds(at(MADRID, 2026, 10, 25), at(MADRID, 2026, 10, 26))
    assert (spring, autumn) == (23 * HOUR, 25 * HOUR)


def test_opening_hours_across_the_jump_count_the_real_hours() -> None:
    """Open 01:00-04:00 (wall clock): 2 real hours when clocks jump 02:00 -> 03:00, 4 when they
    go back 03:00 -> 02:00 (the ambiguous hour is lived twice)."""
    calendar = every_day("Europe/Madrid", [["01:00", "04:00"]])
    spring = calendar.business_seconds(at(MADRID, 2026, 3, 29), at(MADRID, 2026, 3, 30))
    autumn = calendar.business_seconds(at(MADRID, 2026, 10, 25), at(MADRID, 2026, 10, 26))
    assert (spring, autumn) == (2 * HOUR, 4 * HOUR)


def test_a_due_time_across_a_dst_change_keeps_the_wall_clock_opening() -> None:
    """New York, open 09:00-17:00 daily; Saturday 7 March 2026 16:00 EST + 2 business hours =
    Sunday 8 March 10:00 EDT (the clocks changed overnight), 14:00 UTC, not 15:00."""
    calendar = every_day("America/New_York", [["09:00", "17:00"]])
    due = calendar.add_business_seconds(at(NEW_YORK, 2026, 3, 7, 16, 0), 2 * HOUR)
    assert due == datetime(2026, 3, 8, 14, 0, tzinfo=UTC).timestamp()


def test_a_gap_time_is_read_with_the_offset_before_the_jump() -> None:
    """RFC 5545: 02:30 does not exist on Madrid's spring day and means 03:30 CEST; a span
    02:30-05:00 is then open 01:30 UTC to 03:00 UTC (1.5 h)."""
    calendar = every_day("Europe/Madrid", [["02:30", "05:00"]])
    day = calendar.business_seconds(at(MADRID, 2026, 3, 29), at(MADRID, 2026, 3, 30))
    assert day == 1.5 * HOUR
    opens = calendar.add_business_seconds(at(MADRID, 2026, 3, 29, 0, 0), 1)
    assert opens == datetime(2026, 3, 29, 1, 30, 1, tzinfo=UTC).timestamp()


def test_zero_seconds_is_now_and_closed_time_adds_nothing() -> None:
    """Adding 0 gives the start itself; a weekend interval holds no business seconds."""
    start = at(MADRID, 2026, 5, 9, 10, 0)  # Saturday
    assert office().add_business_seconds(start, 0) == start
    assert office().business_seconds(start, start + 24 * HOUR) == 0


@pytest.mark.parametrize(
    ("zone", "hours", "field"),
    [
        ("Mars/Olympus", {"mon": [["09:00", "17:00"]]}, "time_zone"),
        ("UTC", {}, "hours"),
        ("UTC", {"funday": [["09:00", "17:00"]]}, "hours"),
        ("UTC", {"mon": [["17:00", "09:00"]]}, "hours.mon"),
        ("UTC", {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}, "hours.mon"),
        ("UTC", {"tue": [["09:00", "24:30"]]}, "hours.tue"),
        ("UTC", {"tue": [["9am", "17:00"]]}, "hours.tue"),
    ],
)
def test_a_bad_calendar_names_its_field(zone: str, hours: dict, field: str) -> None:
    """An unknown zone, no hours at all, an unknown day, a backwards, overlapping or
    out-of-range span is refused, naming the field."""
    with pytest.raises(CalendarError) as caught:
        Calendar.from_hours(zone, hours, frozenset())
    assert caught.value.field == field


def test_clock_parsing() -> None:
    """'24:00' is the end of the day; minutes are two digits."""
    assert (parse_clock("24:00", "x"), parse_clock("09:30", "x")) == (86_400, 34_200)
    with pytest.raises(CalendarError):
        parse_clock("9:5", "x")


ZONES = ["Europe/Madrid", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    week = {}
    for day in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 96), max_size=4)))
        spans = tuple(
            (a * 900, b * 900) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b
        )
        if spans:
            week[day] = spans
    if not week:
        week[draw(st.integers(0, 6))] = ((9 * 3600, 17 * 3600),)
    holidays = frozenset(draw(st.sets(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=5)))
    return Calendar(draw(st.sampled_from(ZONES)), week, holidays)


INSTANTS = st.floats(
    datetime(2026, 1, 1, tzinfo=UTC).timestamp(), datetime(2026, 12, 31, tzinfo=UTC).timestamp()
)


@settings(max_examples=150, deadline=None)
@given(calendars(), INSTANTS, st.integers(0, 20 * 86_400))
def test_the_due_time_is_exactly_n_business_seconds_on(
    calendar: Calendar, start: float, seconds: int
) -> None:
    """business_seconds(t0, add(t0, n)) == n, and the due time is never before t0 + n
    (for targets the calendar can reach in the search horizon, 150 weeks)."""
    weekly = sum(b - a for spans in calendar.week.values() for a, b in spans)
    assume(weekly * 140 >= seconds)
    due = calendar.add_business_seconds(start, seconds)
    assert due >= start + seconds - 1e-6
    assert calendar.business_seconds(start, due) == pytest.approx(seconds, abs=1e-3)


@settings(max_examples=150, deadline=None)
@given(calendars(), INSTANTS, st.floats(0, 9 * 86_400), st.floats(0, 9 * 86_400))
def test_business_seconds_add_up_and_never_exceed_wall_seconds(
    calendar: Calendar, start: float, first: float, second: float
) -> None:
    """Over [a, b) and [b, c) they sum to [a, c); each is between 0 and the wall seconds."""
    middle, end = start + first, start + first + second
    one, two = calendar.business_seconds(start, middle), calendar.business_seconds(middle, end)
    assert 0 <= one <= first + 1e-6 and 0 <= two <= second + 1e-6
    assert one + two == pytest.approx(calendar.business_seconds(start, end), abs=1e-3)
