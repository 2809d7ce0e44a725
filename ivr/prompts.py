"""Prompts in several languages, with `{variables}` filled from session attributes.
Substitution is a plain name lookup (no format specs, no attribute access), so prompts stay safe."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ivr.actions import Scalar

_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

#: Reprompts used when a flow does not define its own `messages`.
DEFAULT_MESSAGES: dict[str, dict[str, str]] = {
    "no_input": {
        "en": "Sorry, I did not hear anything.",
        "es": "Lo siento, no he escuchado nada.",
    },
    "invalid": {
        "en": "Sorry, that is not a valid option.",
        "es": "Lo siento, esa opción no es válida.",
    },
}


@dataclass(frozen=True)
class LocalizedText:
    """One text per language code, e.g. {"en": "Hello", "es": "Hola"}."""

    texts: Mapping[str, str]

    def __post_init__(self) -> None:
        if not self.texts:
            raise ValueError("LocalizedText needs at least one language")
        object.__setattr__(self, "texts", dict(self.texts))

    def missing(self, languages: tuple[str, ...]) -> list[str]:
        """The languages of the flow this text has no translation for."""
        return [lang for lang in languages if not self.texts.get(lang, "").strip()]

    def variables(self) -> set[str]:
        return {name for text in self.texts.values() for name in _VARIABLE.findall(text)}

    def render(
        self, language: str, values: Mapping[str, Scalar | None], fallback: str = "en"
    ) -> str:
        """The text in `language` (else `fallback`, else any) with variables substituted."""
        texts = self.texts
        text = texts.get(language) or texts.get(fallback) or next(iter(texts.values()))
        return substitute(text, values)


def substitute(text: str, values: Mapping[str, Scalar | None]) -> str:
    """Replace each `{name}` by its value; unknown names become empty so no braces are spoken."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return "" if value is None else str(value)

    return " ".join(_VARIABLE.sub(replace, text).split())


def normalise(text: str) -> str:
    """Lower-case, accent-free, punctuation-free words, for matching spoken or typed keywords."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())
