"""Required staff per interval follow the forecast through the staffing calculator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.planning.forecast import IntervalForecast
from routing.planning.requirements import peak, requirements
from routing.planning.staffing import Target

NINE = datetime(2026, 5, 25, 9, tzinfo=UTC)
TARGET = Target(0.8, 20)


def test_each_interval_is_staffed_by_its_own_forecast() -> None:
    """50 contacts in 15 minutes at 180 s (Call Centre Helper's 100 per 30 min) need 14 agents;
    an empty interval needs none; the peak is the busiest interval's."""
    forecasts = [
        IntervalForecast(NINE, 50.0, 180.0, 4, False),
        IntervalForecast(NINE + timedelta(minutes=15), 0.0, None, 4, False),
    ]
    busy, empty = requirements(forecasts, TARGET, shrinkage=0.3)
    assert (busy.staffing["erlang_c"].agents, busy.staffing["erlang_c"].scheduled) == (14, 20)
    assert "erlang_a" not in busy.staffing
    assert empty.staffing == {}  # no AHT and no fallback: not guessed
    assert peak([busy, empty], "erlang_c") == 14


def test_patience_adds_erlang_a_and_a_fallback_aht_fills_gaps() -> None:
    """With patience both models answer; an interval without its own AHT uses the fallback."""
    forecasts = [IntervalForecast(NINE, 50.0, None, 4, True)]
    (row,) = requirements(forecasts, TARGET, patience_seconds=120, fallback_aht_seconds=180)
    assert row.aht_seconds == 180 and row.holiday
    assert (row.staffing["erlang_c"].agents, row.staffing["erlang_a"].agents) == (14, 12)
