"""At-risk rules and quarter arithmetic on worked examples (DOMAIN.md §1: CLV 100 x 4 x 8 =
3,200; a decline over two consecutive quarters should trigger retention effort)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from contactcentre.customers.value_history import parse_quarter
from contactcentre.reporting.value_schedule import next_run, quarter_end
from routing.customer_risk import (
    Quarter,
    RiskFacts,
    RiskRules,
    clv_fell_two_quarters,
    quarter_end_values,
    reasons,
)

D = Decimal


def test_quarters_of_dates_and_their_neighbours() -> None:
    """1 Oct is Q4; the quarter before Q1 is the previous year's Q4; the index sorts them."""
    assert Quarter.of(date(2026, 10, 1)) == Quarter(2026, 4)
    assert Quarter.of(date(2026, 3, 31)) == Quarter(2026, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2026, 4).next().first_day() == date(2027, 1, 1)
    assert Quarter(2026, 1).index - Quarter(2025, 4).index == 1
    assert Quarter.from_index(Quarter(2026, 3).index) == Quarter(2026, 3)
    assert str(Quarter(2026, 4)) == "2026-Q4"


@pytest.mark.parametrize(
    ("series", "fell"),
    [
        ([D(3200), D(3000), D(2800)], True),  # fell in each of the last two quarters
        ([D(3200), D(3000), D(3000)], False),  # fell once, then flat
        ([D(3000), D(3200), D(2800)], False),  # rose, then fell
        ([D(3200), D(3000)], False),  # only two quarters known
        ([D(9999), D(3200), D(3000), D(2800)], True),  # only the last three count
    ],
)
def test_clv_decline_needs_two_strict_falls(series: list[Decimal], fell: bool) -> None:
    assert clv_fell_two_quarters(series) is fell


def test_a_quarter_without_a_snapshot_carries_the_one_before() -> None:
    """Snapshots in Q1 (3,200) and Q3 (300): Q2 had no change, so it is 3,200 too."""
    q1, q3 = Quarter(2026, 1).index, Quarter(2026, 3).index
    values = quarter_end_values({q1: D(3200), q3: D(300)}, q3)
    assert values == [D(3200), D(3200), D(300)]
    assert not clv_fell_two_quarters(values)
    # Before the first snapshot nothing is known: the list is shorter, never padded.
    assert quarter_end_values({q3: D(300)}, q3) == [D(300)]


def test_each_rule_gives_its_reason() -> None:
    """3,200 -> 3,000 -> 2,800, 2 cancellations (threshold 2), 3 complaints in 90 days
    (threshold 2) and the hand-set flag: four reasons in a fixed order."""
    facts = RiskFacts([D(3200), D(3000), D(2800)], 2, 3, flagged_by_hand=True)
    found = reasons(facts, RiskRules(cancellations=2, complaints=2, complaint_window_days=90))
    assert [r.rule for r in found] == ["clv_decline", "cancellations", "complaints", "manual"]
    assert found[0].text == "CLV fell two quarters in a row (3200 → 3000 → 2800)"
    assert found[1].text == "2 cancellations (at risk from 2)"
    assert found[2].text == "3 complaints in the last 90 days (at risk from 2)"


def test_below_every_threshold_is_not_at_risk_and_zero_turns_a_rule_off() -> None:
    quiet = RiskFacts([D(300), D(300), D(300)], 1, 1)
    assert reasons(quiet, RiskRules(cancellations=2, complaints=2)) == []
    busy = RiskFacts([], 5, 5)
    assert reasons(busy, RiskRules(cancellations=0, complaints=0)) == []


@pytest.mark.parametrize("text", ["2026-Q4", "2026q4", " 2026Q1 "])
def test_quarters_parse_from_the_command_line(text: str) -> None:
    assert parse_quarter(text).year == 2026


@pytest.mark.parametrize("text", ["2026-Q5", "Q4", "2026", "26-Q1x", "0001-Q1"])
def test_a_bad_quarter_names_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match=r"such as 2026-Q4|out of range"):
        parse_quarter(text)


def test_the_snapshot_runs_at_23_utc_on_the_quarters_last_day() -> None:
    assert quarter_end(Quarter(2026, 4)) == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert quarter_end(Quarter(2026, 1)) == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    assert next_run(datetime(2026, 12, 8, tzinfo=UTC)) == Quarter(2026, 4)
    # After this quarter's run, the next one due is next quarter's.
    assert next_run(datetime(2026, 12, 31, 23, 0, 1, tzinfo=UTC)) == Quarter(2027, 1)
