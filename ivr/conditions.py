"""Expression-lite conditions over session attributes, e.g. "segment in [gold, platinum]".
Parsed once at load time into values; evaluated by comparison, never by eval()."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ivr.actions import Scalar

Operator = Literal["==", "!=", ">", ">=", "<", "<=", "in", "not in"]

_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|>=|<=|>|<|not\s+in|in)\s*(.+?)\s*$")


@dataclass(frozen=True)
class Condition:
    """`attribute operator value`; a missing attribute never satisfies a condition."""

    attribute: str
    operator: Operator
    value: str | tuple[str, ...]

    def holds(self, attributes: Mapping[str, Scalar | None]) -> bool:
        actual = attributes.get(self.attribute)
        if actual is None:
            return False
        if self.operator in ("in", "not in"):
            members = self.value if isinstance(self.value, tuple) else (self.value,)
            found = _text(actual) in {m.casefold() for m in members}
            return found if self.operator == "in" else not found
        assert isinstance(self.value, str)  # parse() gives lists only to in / not in
        left, right = _number(actual), _number(self.value)
        if left is not None and right is not None:
            return _compare(left, self.operator, right)
        if self.operator in ("==", "!="):
            equal = _text(actual) == self.value.casefold()
            return equal if self.operator == "==" else not equal
        return False  # ordering words makes no sense; never true rather than surprising

    def __str__(self) -> str:
        value = f"[{', '.join(self.value)}]" if isinstance(self.value, tuple) else self.value
        return f"{self.attribute} {self.operator} {value}"


def parse_condition(text: str) -> Condition:
    """Parse one condition; raises ValueError with what is wrong."""
    match = _CONDITION.match(text)
    if match is None:
        raise ValueError(
            f"cannot read condition {text!r}: write 'attribute operator value' with one of "
            "==, !=, >, >=, <, <=, in, not in"
        )
    attribute, raw_operator, raw_value = match.groups()
    operator: Operator = "not in" if raw_operator.startswith("not") else raw_operator  # type: ignore[assignment]
    if operator in ("in", "not in"):
        if not (raw_value.startswith("[") and raw_value.endswith("]")):
            raise ValueError(f"'{operator}' needs a list like [gold, platinum], got {raw_value!r}")
        members = tuple(_unquote(v) for v in raw_value[1:-1].split(",") if v.strip())
        if not members:
            raise ValueError(f"'{operator}' needs at least one value in {text!r}")
        return Condition(attribute, operator, members)
    if raw_value.startswith("["):
        raise ValueError(f"a list value needs 'in' or 'not in', not '{operator}', in {text!r}")
    return Condition(attribute, operator, _unquote(raw_value))


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).casefold()


def _number(value: Scalar) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except ValueError:
        return None


def _compare(left: float, operator: Operator, right: float) -> bool:
    return {
        "==": left == right,
        "!=": left != right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[operator]
