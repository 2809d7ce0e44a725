"""Pydantic validation errors turned into (field path, message, code) an API or an import shows.

Paths read like the JSON they point into ("phones[0].number"); messages always name the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

# Our own validators already write full messages; these rephrase pydantic's generic ones.
_MESSAGES = {
    "missing": "{field} is required",
    "extra_forbidden": "{field} is not a customer field",
    "bool_parsing": "{field} must be true or false (yes/no, 1/0)",
    "bool_type": "{field} must be true or false",
    "int_parsing": "{field} must be a whole number",
    "int_type": "{field} must be a whole number",
    "int_from_float": "{field} must be a whole number",
    "decimal_parsing": "{field} must be a number such as 12.50",
    "decimal_type": "{field} must be a number such as 12.50",
    "string_type": "{field} must be text",
    "list_type": "{field} must be a list",
    "model_type": "{field} must be an object",
    "literal_error": "{field}: {msg}",
}


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with the input: `field` is None when it concerns the whole record."""

    field: str | None
    message: str
    code: str


def field_path(loc: Sequence[int | str]) -> str | None:
    """("phones", 0, "number") -> "phones[0].number"; () -> None."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or None


def describe_errors(exc: ValidationError) -> list[FieldProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        field = field_path(error["loc"])
        kind = error["type"]
        label = field or "record"
        if kind.startswith(("date", "datetime")):
            message = f"{label} must be a date as YYYY-MM-DD"
        elif kind in _MESSAGES:
            message = _MESSAGES[kind].format(field=label, msg=error["msg"])
        else:
            message = error["msg"]
        problems.append(FieldProblem(field, message, kind))
    return problems
