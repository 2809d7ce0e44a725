"""Tests for routing.expression: the agent/task selection language."""

from __future__ import annotations

import pytest

from routing.expression import ExpressionError, parse, tokenize

AGENT = {
    "skills": {"billing": 6, "sales": 8},
    "languages": ["en", "es"],
    "team": "retention",
    "tenure": 2.5,
    "profile": {"site": "lisbon"},
    "senior": True,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('skills.billing >= 5 and "es" in languages', True),
        ('skills.billing >= 7 and "es" in languages', False),
        ('team == "retention" or skills.sales > 7', True),
        ('team == "sales" or skills.sales > 8', False),
        ('not ("fr" in languages)', True),
        ('"fr" not in languages', True),
        ("skills.unknown == 0", True),
        ("skills.unknown >= 1", False),
        ("tenure > 2 and tenure <= 2.5", True),
        ("senior", True),
        ("senior == true and not false", True),
        ("team in ['retention', 'vip']", True),
        ("profile.site == 'lisbon'", True),
        ("(skills.billing > 9 or skills.sales > 7) and team != 'sales'", True),
        ("skills.billing == -1 or skills.billing != 6", False),
        ("'ret' in team", True),
        ("[] == []", True),
    ],
)
def test_valid_expressions_evaluate(text: str, expected: bool) -> None:
    """Valid expressions evaluate to the documented truth value against an agent."""
    assert parse(text)(AGENT) is expected


@pytest.mark.parametrize(
    "text",
    [
        "missing == 1",
        "missing != 1",
        "missing < 1",
        "missing in ['a']",
        "'a' in missing",
        "profile.nothing.deeper == 'x'",
        "team.sub == 'x'",
        "team > 3",
        "languages > 3",
    ],
)
def test_null_and_mismatched_types_compare_false(text: str) -> None:
    """A missing attribute is null: every comparison with it is false, and nothing raises."""
    assert parse(text)(AGENT) is False


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("skills.billing >= 5 and ", 24, "expected a value after 'and' at position 24"),
        ("team == 'x' and  or x", 17, "expected a value after 'and' at position 17"),
        ("a ==", 4, "expected a value after '==' at position 4"),
        ("a or", 4, "expected a value after 'or' at position 4"),
        ("not", 3, "expected a value after 'not' at position 3"),
        ("(a == 1", 7, "expected ')' at position 7"),
        ("[1, 2", 5, "expected ',' or ']' at position 5"),
        ("a not b", 6, "expected 'in' after 'not' at position 6"),
        ('"abc', 4, 'expected a closing " at position 4'),
        ("x $ 1", 2, "expected an operator, name, number or string at position 2"),
        ("a b", 2, "expected 'and', 'or' or the end of the expression at position 2"),
        ("", 0, "expected a value (name, number, string, list or '(') at position 0"),
        ("a. == 1", 1, "expected a name after '.' at position 1"),
        ("- x", 2, "expected a number after '-' at position 2"),
        ("1.2.3 == x", 0, "expected a number at position 0"),
        ("a in", 4, "expected a value after 'in' at position 4"),
    ],
)
def test_syntax_errors_report_position_and_expectation(
    text: str, position: int, message: str
) -> None:
    """A syntax error names the 0-based position and what was expected there."""
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.position == position
    assert caught.value.message == message


def test_parse_is_cached_and_reusable() -> None:
    """The same text parses once and evaluates many times against different contexts."""
    expr = parse("skills.billing >= 5")
    assert parse("skills.billing >= 5") is expr
    assert [expr({"skills": {"billing": n}}) for n in (4, 5)] == [False, True]


def test_names_are_collected() -> None:
    """An expression knows the names it reads (used to explain and to memoise)."""
    assert parse("skills.a > 1 and team == 'x' or b").names == {"skills.a", "team", "b"}


def test_tokenizer_positions() -> None:
    """Tokens carry their 0-based start position."""
    tokens = tokenize("a >= 'x'")
    assert [(t.kind, t.position) for t in tokens] == [
        ("name", 0),
        ("op", 2),
        ("str", 5),
        ("end", 8),
    ]


def test_string_escapes() -> None:
    """A backslash escapes the quote inside a string literal."""
    assert parse(r'"a\"b" == x')({"x": 'a"b'}) is True


def test_no_eval_of_python() -> None:
    """Python syntax outside the language is a syntax error, never executed."""
    with pytest.raises(ExpressionError):
        parse("__import__('os').system('true')")
