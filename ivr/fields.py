"""Reads the fields of one YAML node, collecting every problem instead of stopping at the first.
Each accessor returns a usable placeholder on error so parsing can go on and find the rest."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

from ivr.actions import GatherKind, Scalar
from ivr.errors import FlowError
from ivr.prompts import LocalizedText

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class NodeFields:
    """The raw mapping of one node plus the list its problems are appended to."""

    def __init__(
        self,
        raw: Mapping[str, Any],
        *,
        file: str,
        node: str | None,
        languages: tuple[str, ...],
        errors: list[FlowError],
    ) -> None:
        self.raw = raw
        self.file = file
        self.node = node
        self.languages = languages
        self.errors = errors
        self.used: set[str] = {"type"}

    def problem(self, text: str) -> None:
        self.errors.append(FlowError(self.file, self.node, text))

    def value(self, name: str) -> Any:
        self.used.add(name)
        return self.raw.get(name)

    def has(self, name: str) -> bool:
        return name in self.raw

    def ref(self, name: str, fallback: str | None = None) -> str:
        """A branch to another node; missing branches are reported here, dangling ones later."""
        value = self.value(name)
        if value is None:
            if fallback is not None:
                return fallback
            self.problem(f"missing '{name}' (the id of the node to go to)")
            return ""
        if not isinstance(value, str) or not value:
            self.problem(f"'{name}' must be a node id, got {value!r}")
            return ""
        return value

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.value(name)
        if value is None:
            return default
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.problem(f"'{name}' must be text, got {value!r}")
            return default
        return str(value)

    def identifier(self, name: str) -> str:
        value = self.text(name)
        if value is None or not _IDENT.match(value):
            self.problem(f"'{name}' must be a name like 'account_number', got {value!r}")
            return "_"
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.value(name)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problem(f"'{name}' must be a whole number from {low} to {high}, got {value!r}")
            return default
        return value

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self.value(name)
        if value is None:
            return default
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric or not low <= value <= high:
            self.problem(f"'{name}' must be a number from {low} to {high}, got {value!r}")
            return default
        return float(value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.value(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(f"'{name}' must be true or false, got {value!r}")
            return default
        return value

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.text(name, default)
        if value not in allowed:
            self.problem(f"'{name}' must be one of {', '.join(allowed)}, got {value!r}")
            return default
        return value

    def gather_kind(self, default: GatherKind) -> GatherKind:
        """`input`: dtmf, speech or both."""
        return cast(GatherKind, self.choice("input", default, ("dtmf", "speech", "both")))

    def prompt(self, name: str, required: bool = True) -> LocalizedText | None:
        """A prompt: {en: ..., es: ...} with every flow language, or one text for all of them."""
        value = self.value(name)
        if value is None:
            if required:
                self.problem(f"missing '{name}' (a prompt such as {{en: ..., es: ...}})")
                return LocalizedText({lang: "…" for lang in self.languages})
            return None
        if isinstance(value, str):
            value = dict.fromkeys(self.languages, value)
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            self.problem(f"'{name}' must map language codes to text, got {value!r}")
            return LocalizedText({lang: "…" for lang in self.languages})
        text = LocalizedText(value)
        for lang in text.missing(self.languages):
            self.problem(f"'{name}' has no '{lang}' text")
        return text

    def scalars(self, name: str) -> dict[str, Scalar]:
        value = self.value(name)
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str | int | float | bool) for k, v in value.items()
        ):
            self.problem(f"'{name}' must map attribute names to plain values, got {value!r}")
            return {}
        return dict(value)

    def report_unknown(self) -> None:
        """Typos such as 'nxt' would otherwise be silently ignored."""
        for name in self.raw:
            if name not in self.used:
                self.problem(f"unknown field '{name}'")
