"""Postcode formats per country, so a typo is caught when the record is entered, not on delivery.

Countries without a rule here get a loose check (letters, digits, spaces and dashes).
"""

from __future__ import annotations

import re

# Canonical spacing is restored before matching, so the patterns only describe the canonical form.
_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "US": (re.compile(r"\d{5}(?:-\d{4})?"), "12345 or 12345-6789"),
    "GB": (
        re.compile(r"(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR) (?:\d[ABD-HJLNP-UW-Z]{2}|0AA)"),
        "SW1A 1AA",
    ),
    "DE": (re.compile(r"\d{5}"), "10115"),
    "FR": (re.compile(r"\d{5}"), "75008"),
    "ES": (re.compile(r"(?:0[1-9]|[1-4]\d|5[0-2])\d{3}"), "28013"),
    "IT": (re.compile(r"\d{5}"), "00184"),
    "NL": (re.compile(r"[1-9]\d{3} [A-Z]{2}"), "1012 AB"),
    "CA": (re.compile(r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d"), "K1A 0B1"),
    "AU": (re.compile(r"\d{4}"), "2000"),
}
_LOOSE = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,15}")
# Countries whose postcodes end in a three-character inward code after a space.
_SPACED_BEFORE_LAST_3 = frozenset({"GB", "CA"})
_SPACED_BEFORE_LAST_2 = frozenset({"NL"})


def normalize_postcode(postcode: str, country: str | None) -> str:
    """Upper-case, canonically spaced postcode; ValueError says the expected format."""
    text = " ".join(postcode.upper().split())
    if not text:
        raise ValueError("postcode is empty")
    if country is None or country.upper() not in _RULES:
        if not _LOOSE.fullmatch(text):
            raise ValueError(
                f"postcode {postcode!r} may only hold letters, digits, spaces and dashes"
            )
        return text
    country = country.upper()
    pattern, example = _RULES[country]
    compact = text.replace(" ", "")
    if country in _SPACED_BEFORE_LAST_3 and len(compact) > 3:
        text = f"{compact[:-3]} {compact[-3:]}"
    elif country in _SPACED_BEFORE_LAST_2 and len(compact) > 2:
        text = f"{compact[:-2]} {compact[-2:]}"
    elif country == "US" and compact.isdigit() and len(compact) == 9:
        text = f"{compact[:5]}-{compact[5:]}"
    if not pattern.fullmatch(text):
        raise ValueError(
            f"postcode {postcode!r} is not a valid {country} postcode (e.g. {example})"
        )
    return text
