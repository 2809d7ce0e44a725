"""Postcode formats per country."""

from __future__ import annotations

import pytest

from contactcentre.customers.postcodes import normalize_postcode


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("90210", "US", "90210"),
        ("902101234", "US", "90210-1234"),
        ("90210-1234", "US", "90210-1234"),
        ("sw1a1aa", "GB", "SW1A 1AA"),
        ("SW1A  1AA", "GB", "SW1A 1AA"),
        ("m1 1ae", "GB", "M1 1AE"),
        ("10115", "DE", "10115"),
        ("75008", "FR", "75008"),
        ("28013", "ES", "28013"),
        ("1012ab", "NL", "1012 AB"),
        ("k1a0b1", "CA", "K1A 0B1"),
        ("ab-12 3", None, "AB-12 3"),
        ("ab 12", "JP", "AB 12"),
    ],
)
def test_valid_postcodes_are_canonicalised(raw: str, country: str | None, expected: str) -> None:
    """A valid postcode comes back upper-case with the country's usual spacing."""
    assert normalize_postcode(raw, country) == expected


@pytest.mark.parametrize(
    ("raw", "country", "example"),
    [
        ("9021", "US", "12345 or 12345-6789"),
        ("SW1A", "GB", "SW1A 1AA"),
        ("QQ1 1AA", "GB", "SW1A 1AA"),
        ("1011", "DE", "10115"),
        ("7500A", "FR", "75008"),
        ("53001", "ES", "28013"),
        ("00001", "ES", "28013"),
    ],
)
def test_invalid_postcodes_name_the_expected_format(raw: str, country: str, example: str) -> None:
    """A postcode that does not fit the country's format is rejected with an example."""
    with pytest.raises(ValueError, match=f"not a valid {country} postcode") as info:
        normalize_postcode(raw, country)
    assert example in str(info.value)


def test_postcode_without_country_rejects_symbols() -> None:
    """Without a country only letters, digits, spaces and dashes are allowed."""
    with pytest.raises(ValueError, match="may only hold letters, digits"):
        normalize_postcode("12#45", None)
