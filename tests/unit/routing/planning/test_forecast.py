"""The forecast: the same interval's mean over recent weeks in wall-clock time, holidays out of
the history and flagged in the forecast, and WAPE on held-out weeks beside last week's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing.planning.forecast import (
    History,
    IntervalActual,
    backtest,
    interval_starts,
    last_week,
    same_interval_mean,
    wape,
    weeks_before,
)
from tests.demand_history import seasonal_history

MADRID = ZoneInfo("Europe/Madrid")
MONDAY = datetime(2026, 4, 27, tzinfo=MADRID)  # a Monday, four weeks before NINE
NINE = datetime(2026, 5, 25, 9, 0, tzinfo=MADRID).astimezone(UTC)  # four weeks later, 09:00


def weekly(contacts: list[int], aht: list[float], weeks: int = 4) -> History:
    """Monday 09:00 over `weeks` weeks with these contacts and AHTs, oldest first."""
    actuals = [
        IntervalActual(weeks_before(NINE, weeks - index, MADRID), n, n, n * a)
        for index, (n, a) in enumerate(zip(contacts, aht, strict=True))
    ]
    return History.of(MONDAY, MONDAY + timedelta(weeks=weeks), actuals)


def test_mean_of_the_same_interval_over_recent_weeks() -> None:
    """10, 20, 30, 40 contacts: the forecast is 25; AHT is weighted by handled contacts."""
    history = weekly([10, 20, 30, 40], [100.0, 200.0, 200.0, 100.0])
    (forecast,) = same_interval_mean(history, [NINE], MADRID, weeks=4)
    assert forecast.contacts == 25.0 and forecast.weeks_used == 4
    assert forecast.aht_seconds == pytest.approx((1000 + 4000 + 6000 + 4000) / 100)


def test_fewer_weeks_take_the_most_recent() -> None:
    """weeks=2 averages the last two weeks only (30 and 40)."""
    (forecast,) = same_interval_mean(weekly([10, 20, 30, 40], [100.0] * 4), [NINE], MADRID, 2)
    assert forecast.contacts == 35.0


def test_an_interval_without_a_row_counted_as_zero_inside_the_history() -> None:
    """The tables keep no empty rows: a covered interval with no row had no contacts, and an
    interval before the history began is unknown (not zero)."""
    history = History.of(MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=4), [])
    (forecast,) = same_interval_mean(history, [NINE], MADRID, weeks=4)
    assert (forecast.contacts, forecast.weeks_used, forecast.aht_seconds) == (0.0, 2, None)


def test_holidays_are_skipped_in_history_and_flagged_in_the_forecast() -> None:
    """A holiday Monday is left out (the mean looks one week further back) and a forecast for a
    holiday says so."""
    history = weekly([10, 20, 90, 40], [100.0] * 4, weeks=4)
    holiday = weeks_before(NINE, 2, MADRID).astimezone(MADRID).date()
    (forecast,) = same_interval_mean(history, [NINE], MADRID, 3, holidays={holiday})
    assert forecast.contacts == pytest.approx((10 + 20 + 40) / 3)
    assert not forecast.holiday
    (flagged,) = same_interval_mean(history, [NINE], MADRID, 3, holidays={date(2026, 5, 25)})
    assert flagged.holiday


def test_weeks_are_counted_in_wall_clock_time_across_daylight_saving() -> None:
    """Madrid moved to summer time on 2026-03-29: 09:00 a week later is 07:00 UTC, not 08:00."""
    after = datetime(2026, 3, 30, 9, 0, tzinfo=MADRID).astimezone(UTC)
    assert weeks_before(after, 1, MADRID) == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)


def test_last_week_is_the_naive_baseline() -> None:
    """The baseline repeats the same interval one week before."""
    (forecast,) = last_week(weekly([10, 20, 30, 40], [100.0] * 4), [NINE], MADRID)
    assert forecast.contacts == 40.0


def test_wape() -> None:
    """Σ|a - f| / Σ a: (2 + 3) / 20, and None when nothing happened."""
    assert wape([10, 10], [12, 7]) == pytest.approx(0.25)
    assert wape([0, 0], [1, 2]) is None


def test_interval_starts_floor_to_a_quarter_hour() -> None:
    """09:07 to 09:40 is the intervals starting 09:00, 09:15 and 09:30."""
    starts = interval_starts(
        datetime(2026, 5, 4, 9, 7, tzinfo=UTC), datetime(2026, 5, 4, 9, 40, tzinfo=UTC)
    )
    assert [s.minute for s in starts] == [0, 15, 30]


def test_the_mean_beats_last_week_on_held_out_seasonal_weeks() -> None:
    """On eight generated weeks, four held out, the 4-week mean's WAPE is below last week's:
    averaging removes part of the Poisson noise a single week carries."""
    history = History.of(
        MONDAY, MONDAY + timedelta(weeks=8), seasonal_history(8, start=MONDAY, seed=3)
    )
    accuracy = backtest(history, MADRID, weeks=4, held_out_weeks=4)
    assert accuracy.intervals == 4 * 7 * 96
    assert accuracy.contacts_wape is not None and accuracy.baseline_contacts_wape is not None
    assert accuracy.wape_ratio is not None and accuracy.wape_ratio < 0.95
    assert accuracy.aht_wape is not None and accuracy.baseline_aht_wape is not None
    assert accuracy.aht_wape < accuracy.baseline_aht_wape


def test_the_backtest_forecasts_each_week_only_from_the_weeks_before_it() -> None:
    """A surge in the last held-out week cannot leak into its own forecast: with one week of
    history before it, the method equals last week there."""
    quiet = [IntervalActual(weeks_before(NINE, 2, MADRID), 10, 10, 1000.0)]
    surge = [IntervalActual(weeks_before(NINE, 1, MADRID), 100, 100, 10000.0)]
    history = History.of(MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=4), quiet + surge)
    accuracy = backtest(history, MADRID, weeks=4, held_out_weeks=1)
    assert accuracy.contacts_wape == pytest.approx(90 / 100)
    assert accuracy.wape_ratio == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda h: same_interval_mean(h, [NINE], MADRID, weeks=0), "weeks"),
        (lambda h: backtest(h, MADRID, held_out_weeks=0), "held_out_weeks"),
    ],
)
def test_bad_arguments_name_their_field(call, field) -> None:
    """Zero weeks of history or of held-out weeks is refused by name."""
    with pytest.raises(ValueError, match=field):
        call(weekly([1, 2, 3, 4], [1.0] * 4))
