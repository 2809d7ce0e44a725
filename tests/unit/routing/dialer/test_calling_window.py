"""Calling hours in every candidate zone of a number: boundaries, DST days, unknown zones."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from routing.dialer.calling_window import CallingWindow
from routing.dialer.legal import IllegalSetting, LegalOverride, Rule

NY, CHI, DEN, PHX, LON = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "Europe/London",
)
WINDOW = CallingWindow()


def utc(*fields: int) -> datetime:
    """An instant in UTC from (year, month, day, hour, minute, second, microsecond)."""
    year, month, day, hour, minute, second, us = (*fields, 0, 0, 0, 0)[:7]
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        (utc(2025, 6, 2, 11, 59, 59), False),  # 07:59:59 EDT
        (utc(2025, 6, 2, 12, 0, 0), True),  # 08:00:00 EDT: the first second open
        (utc(2025, 6, 3, 0, 59, 59), True),  # 20:59:59 EDT: the last second open
        (utc(2025, 6, 3, 1, 0, 0), False),  # 21:00:00 EDT: closed
    ],
)
def test_the_window_opens_at_8_and_closes_at_21_local(instant: datetime, is_open: bool) -> None:
    """8:00:00 local is allowed, 20:59:59 is the last allowed second, 21:00:00 is not."""
    assert WINDOW.check([NY], instant).open is is_open


def test_a_fraction_before_21_is_still_the_last_second() -> None:
    """20:59:59.999 is inside the last allowed second."""
    assert WINDOW.check([NY], utc(2025, 6, 3, 0, 59, 59, 999000)).open


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        # 9 March 2025, spring forward in New York: EDT (UTC-4) from 02:00 local.
        (utc(2025, 3, 9, 11, 59, 59), False),  # 07:59:59 EDT
        (utc(2025, 3, 9, 12, 0, 0), True),  # 08:00:00 EDT
        (utc(2025, 3, 10, 0, 59, 59), True),  # 20:59:59 EDT
        (utc(2025, 3, 10, 1, 0, 0), False),  # 21:00:00 EDT
        # The day before, still EST (UTC-5): 12:00 UTC was 07:00 local, closed.
        (utc(2025, 3, 8, 12, 0, 0), False),
        (utc(2025, 3, 8, 13, 0, 0), True),
        # 2 November 2025, fall back: EST (UTC-5) from 02:00 local.
        (utc(2025, 11, 2, 12, 59, 59), False),  # 07:59:59 EST
        (utc(2025, 11, 2, 13, 0, 0), True),  # 08:00:00 EST
        (utc(2025, 11, 3, 1, 59, 59), True),  # 20:59:59 EST
        (utc(2025, 11, 3, 2, 0, 0), False),  # 21:00:00 EST
    ],
)
def test_dst_change_days_in_both_directions(instant: datetime, is_open: bool) -> None:
    """On the days clocks change, the boundaries follow local wall-clock time, not UTC."""
    assert WINDOW.check([NY], instant).open is is_open


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        (utc(2025, 3, 9, 14, 59, 59), False),  # Phoenix never changes: 07:59:59 MST
        (utc(2025, 3, 9, 15, 0, 0), True),
        (utc(2025, 7, 1, 14, 59, 59), False),  # in July still 07:59:59 MST
        (utc(2025, 7, 1, 15, 0, 0), True),
        (utc(2025, 7, 2, 3, 59, 59), True),  # 20:59:59 MST
        (utc(2025, 7, 2, 4, 0, 0), False),
    ],
)
def test_arizona_keeps_standard_time_all_year(instant: datetime, is_open: bool) -> None:
    """America/Phoenix has no DST: its 8:00 is 15:00 UTC in March and in July."""
    assert WINDOW.check([PHX], instant).open is is_open


def test_denver_and_phoenix_differ_in_summer_only() -> None:
    """At 14:30 UTC in July Denver (MDT) is open at 08:30 while Phoenix (MST) is at 07:30."""
    check = WINDOW.check([DEN, PHX], utc(2025, 7, 1, 14, 30))
    assert [(z.zone, z.open) for z in check.zones] == [(DEN, True), (PHX, False)]
    assert not check.open
    assert "07:30:00 in America/Phoenix" in check.explain()
    assert WINDOW.check([DEN, PHX], utc(2025, 1, 6, 15, 30)).open  # winter: both 08:30


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        (utc(2025, 3, 30, 6, 59, 59), False),  # BST from 01:00 UTC: 07:59:59 local
        (utc(2025, 3, 30, 7, 0, 0), True),
        (utc(2025, 10, 26, 7, 59, 59), False),  # GMT again: 07:59:59 local
        (utc(2025, 10, 26, 8, 0, 0), True),
        (utc(2025, 10, 26, 20, 59, 59), True),
        (utc(2025, 10, 26, 21, 0, 0), False),
    ],
)
def test_uk_dst_change_days(instant: datetime, is_open: bool) -> None:
    """Europe/London on its clock-change days in March and October."""
    assert WINDOW.check([LON], instant).open is is_open


def test_a_multi_zone_number_waits_for_its_last_zone_in_the_morning() -> None:
    """08:30 in Chicago is 07:30 in Denver: a number in both zones is not callable yet."""
    check = WINDOW.check([CHI, DEN], utc(2025, 6, 2, 13, 30))
    assert not check.open
    assert [z.zone for z in check.closed] == [DEN]
    assert WINDOW.check([CHI, DEN], utc(2025, 6, 2, 14, 0)).open  # 09:00 / 08:00


def test_a_multi_zone_number_stops_with_its_first_zone_in_the_evening() -> None:
    """At 21:00 in Chicago (20:00 in Denver) the number is closed."""
    assert WINDOW.check([CHI, DEN], utc(2025, 6, 3, 1, 59, 59)).open
    check = WINDOW.check([CHI, DEN], utc(2025, 6, 3, 2, 0))
    assert not check.open
    assert [z.zone for z in check.closed] == [CHI]


@pytest.mark.parametrize("zones", [[], ["Mars/Olympus_Mons"], [NY, ""], [NY, "America"]])
def test_unknown_or_missing_zones_block(zones: list[str]) -> None:
    """No candidate zone, or a name zoneinfo does not know, is closed whatever the time."""
    check = WINDOW.check(zones, utc(2025, 6, 2, 16, 0))
    assert not check.open
    assert "unknown" in check.explain()


def test_a_naive_now_is_refused() -> None:
    """The clock is a parameter and must say its zone."""
    with pytest.raises(ValueError, match="timezone-aware"):
        WINDOW.check([NY], datetime(2025, 6, 2, 16, 0))


def test_a_narrower_window_is_allowed_and_applied() -> None:
    """A campaign may call 9:00-20:00 only: 08:30 and 20:00 local are then closed."""
    narrow = CallingWindow(time(9, 0), time(20, 0))
    assert not narrow.check([NY], utc(2025, 6, 2, 12, 30)).open
    assert narrow.check([NY], utc(2025, 6, 2, 13, 0)).open
    assert not narrow.check([NY], utc(2025, 6, 3, 0, 0)).open


@pytest.mark.parametrize(("start", "end"), [(time(7, 59), time(21, 0)), (time(8), time(21, 1))])
def test_a_wider_window_is_refused_without_an_override(start: time, end: time) -> None:
    """Earlier than 8:00 or later than 21:00 is illegal by default, with a specific error."""
    with pytest.raises(IllegalSetting, match="wider than the legal") as refused:
        CallingWindow(start, end)
    assert refused.value.field == "calling_window"


def override(value: float | tuple[time, time], rule: Rule = Rule.CALLING_WINDOW) -> LegalOverride:
    return LegalOverride(
        rule, value, "counsel@example.com", "state law allows it", "LEGAL-12", utc(2025, 1, 1)
    )


def test_a_wider_window_needs_an_override_that_covers_it() -> None:
    """An audited override to 21:30 allows 8:00-21:30, but not 8:00-22:00."""
    allowed = CallingWindow(time(8), time(21, 30), override((time(8), time(21, 30))))
    assert allowed.check([NY], utc(2025, 6, 3, 1, 15)).open  # 21:15 EDT
    with pytest.raises(IllegalSetting):
        CallingWindow(time(8), time(22), override((time(8), time(21, 30))))


def test_an_override_of_another_rule_does_not_widen_the_window() -> None:
    """Only a calling-window override counts for the window."""
    abandon_override = override(0.05, Rule.ABANDON_LIMIT)
    with pytest.raises(IllegalSetting, match="override was given"):
        CallingWindow(time(8), time(22), abandon_override)


@pytest.mark.parametrize(("start", "end"), [(time(20), time(9)), (time(9), time(9))])
def test_an_impossible_window_is_refused(start: time, end: time) -> None:
    """A window that ends before (or when) it starts is an error naming the field."""
    with pytest.raises(IllegalSetting, match="impossible window"):
        CallingWindow(start, end)
