"""Tests for ivr.conditions: the expression-lite conditions of branch nodes, without eval()."""

from __future__ import annotations

import pytest

from ivr.actions import Scalar
from ivr.conditions import Condition, parse_condition

ATTRS: dict[str, Scalar | None] = {
    "segment": "Gold",
    "open_cases": 2,
    "language": "es",
    "known": True,
    "intent": "sales",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("segment in [gold, platinum]", True),
        ("segment not in [gold, platinum]", False),
        ("segment == gold", True),
        ("segment != 'gold'", False),
        ("open_cases > 1", True),
        ("open_cases >= 3", False),
        ("open_cases < 3", True),
        ("open_cases <= 1", False),
        ("open_cases == 2", True),
        ("language == es", True),
        ("known == true", True),
        ("intent in [sales]", True),
        ("missing == anything", False),
        ("missing != anything", False),
        ("segment > 3", False),
    ],
)
def test_conditions_evaluate(text: str, expected: bool) -> None:
    """Each operator compares as written; text ignores case; missing attributes never match."""
    assert parse_condition(text).holds(ATTRS) is expected


def test_numbers_compare_numerically() -> None:
    """ "10" > 9 compares as numbers, not as text."""
    assert parse_condition("open_cases > 9").holds({"open_cases": "10"})


@pytest.mark.parametrize(
    "text",
    [
        "segment",
        "segment ~ gold",
        "__import__('os') == 1",
        "segment in gold",
        "x == [a]",
        "x in []",
    ],
)
def test_unreadable_conditions_are_rejected(text: str) -> None:
    """Anything but `attribute operator value` is refused at load time."""
    with pytest.raises(ValueError):
        parse_condition(text)


def test_condition_reads_back_as_written() -> None:
    """str() shows the condition for the IVR path."""
    assert str(parse_condition("segment in [gold,platinum]")) == "segment in [gold, platinum]"
    assert parse_condition("x != 'a b'") == Condition("x", "!=", "a b")
