"""Tests for ivr.prompts: per-language prompts and safe {variable} substitution."""

from __future__ import annotations

import pytest

from ivr.prompts import LocalizedText, normalise, substitute


def test_prompt_in_language_with_fallback() -> None:
    """The caller's language is used, else the fallback language."""
    text = LocalizedText({"en": "Hello {name}", "es": "Hola {name}"})
    assert text.render("es", {"name": "Eva"}) == "Hola Eva"
    assert text.render("fr", {"name": "Eva"}) == "Hello Eva"
    assert text.missing(("en", "es", "fr")) == ["fr"]
    assert text.variables() == {"name"}


def test_substitution_is_a_plain_name_lookup() -> None:
    """Format specs and attribute access are not evaluated; unknown names vanish."""
    assert substitute("{a} {a.__class__} {b!r} {missing}", {"a": 1}) == "1 {a.__class__} {b!r}"


def test_normalise_drops_case_accents_and_punctuation() -> None:
    """Keywords match however the recogniser capitalises or accents them."""
    assert normalise("¡Soporte  TÉCNICO, por favor!") == "soporte tecnico por favor"


def test_empty_localized_text_is_rejected() -> None:
    """A prompt with no language at all is invalid."""
    with pytest.raises(ValueError, match="at least one language"):
        LocalizedText({})
