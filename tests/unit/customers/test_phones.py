"""Phone normalisation to E.164, extension splitting and caller ID classification."""

from __future__ import annotations

import re

import pytest

from contactcentre.customers.phones import (
    CallerId,
    InvalidPhone,
    classify_caller_id,
    normalize_phone,
    split_extension,
)

LONDON = "+442079460958"
WASHINGTON = "+12025550123"


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("020 7946 0958", "GB"),
        ("02079460958", "GB"),
        ("020-7946-0958", "GB"),
        ("(020) 7946 0958", "GB"),
        ("+44 20 7946 0958", "GB"),
        ("+44 (0)20 7946 0958", "GB"),
        ("+44 (0)20 7946 0958", "US"),
        ("+44-20-7946-0958", "DE"),
        ("0044 20 7946 0958", "GB"),
        ("0044 20 7946 0958", "US"),
        ("00 44 20 7946 0958", "FR"),
        ("011 44 20 7946 0958", "US"),
        ("tel:+44-20-7946-0958", "US"),
        ("  +44 20 7946 0958  ", "US"),
        ("+44 20 7946 0958 ext. 12", "US"),
        ("020 7946 0958 x12", "GB"),
        ("+44.20.7946.0958", "US"),
        ("+44/20/7946/0958", "US"),
        ("+44 20 7946\u20110958", "US"),
    ],
)
def test_every_format_of_a_london_number_gives_one_e164(raw: str, region: str) -> None:
    """Any sane spelling of the same UK number normalises to the same E.164."""
    assert normalize_phone(raw, region) == LONDON


@pytest.mark.parametrize(
    "raw",
    [
        "(202) 555-0123",
        "202-555-0123",
        "202.555.0123",
        "202/555/0123",
        "2025550123",
        "1 202 555 0123",
        "+1 (202) 555-0123",
        "001 202 555 0123",
        "tel:+1-202-555-0123;ext=99",
        "202 555 0123 extension 7",
        "202-555-0123 #7",
    ],
)
def test_every_format_of_a_us_number_gives_one_e164(raw: str) -> None:
    """Any sane spelling of the same US number normalises to the same E.164 in region US."""
    assert normalize_phone(raw, "US") == WASHINGTON


@pytest.mark.parametrize(
    ("raw", "region", "message"),
    [
        ("", "US", "phone number is empty"),
        ("   ", "US", "phone number is empty"),
        ("abc", "US", "not a phone number: letters are not allowed"),
        ("1-800-FLOWERS", "US", "letters are not allowed"),
        ("---", "US", "not a phone number: it has no digits"),
        ("202+555+0123", "US", "'+' only in front"),
        ("12", "US", "too short for region US"),
        ("123456", "US", "too short for region US"),
        ("07", "GB", "too short for region GB"),
        ("7946 0958", "GB", "local number only: add the area code"),
        ("2025550123999", "US", "too long for region US"),
        ("+999 1234 5678", "US", "unknown country calling code"),
        ("+1 555 123 4567", "US", "not a valid number in region US"),
        ("9" * 70, "US", "longer than 64 characters"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(raw: str, region: str, message: str) -> None:
    """An unusable number raises InvalidPhone with a message naming the problem."""
    with pytest.raises(InvalidPhone, match=re.escape(message)):
        normalize_phone(raw, region)


def test_lenient_mode_accepts_possible_but_unassigned_numbers() -> None:
    """strict=False only checks length, so callers from stale metadata ranges are still found."""
    assert normalize_phone("+1 555 123 4567", "US", strict=False) == "+15551234567"


def test_unknown_default_region_is_a_configuration_error() -> None:
    """A default region that is not a known ISO code fails loudly, not as a bad phone."""
    with pytest.raises(ValueError, match="unknown default phone region"):
        normalize_phone("020 7946 0958", "XX")


def test_invalid_phone_is_a_value_error() -> None:
    """InvalidPhone is a ValueError so generic input handlers catch it."""
    assert issubclass(InvalidPhone, ValueError)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("020 7946 0958", ("020 7946 0958", None)),
        ("020 7946 0958 ext. 12", ("020 7946 0958", "12")),
        ("020 7946 0958 ext 12", ("020 7946 0958", "12")),
        ("020 7946 0958 extension 345", ("020 7946 0958", "345")),
        ("2025550123x7", ("2025550123", "7")),
        ("202-555-0123 #88", ("202-555-0123", "88")),
        ("tel:+1-202-555-0123;ext=99", ("+1-202-555-0123", "99")),
        ("x12", ("x12", None)),
    ],
)
def test_split_extension(raw: str, expected: tuple[str, str | None]) -> None:
    """An extension at the end is split off; a string without a number keeps everything."""
    assert split_extension(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "anonymous",
        "Anonymous",
        "RESTRICTED",
        "unavailable",
        "unknown",
        "private",
        "+266696687",
        "266696687",
        "+7378742833",
        "+86282452253",
        "sip:anonymous@pbx.example.com",
        "client:",
    ],
)
def test_withheld_caller_ids_are_anonymous(raw: str) -> None:
    """Withheld numbers, including Twilio's keypad-spelled sentinels, are anonymous."""
    caller = classify_caller_id(raw)
    assert caller.kind == "anonymous"
    assert caller.e164 is None


def test_client_identity() -> None:
    """A Twilio Client caller is identified by its identity, not by a number."""
    assert classify_caller_id("client:agent_1") == CallerId(
        "client", None, "agent_1", "client:agent_1"
    )


def test_sip_uri_with_number_user_part() -> None:
    """A SIP URI whose user part is a number yields that number in E.164."""
    caller = classify_caller_id("sip:+12025550123@trunk.example.com;transport=udp")
    assert caller.kind == "sip"
    assert caller.e164 == WASHINGTON
    assert caller.identity == "+12025550123@trunk.example.com"


def test_sip_uri_with_name_and_display_name() -> None:
    """A SIP URI with a name user part has an identity but no number."""
    caller = classify_caller_id('"Alice" <sip:alice@example.com>')
    assert (caller.kind, caller.e164, caller.identity) == ("sip", None, "alice@example.com")


def test_plain_number_is_normalised() -> None:
    """A plain E.164 caller ID keeps its number."""
    caller = classify_caller_id("+442079460958")
    assert (caller.kind, caller.e164) == ("number", LONDON)


def test_national_caller_id_needs_a_region() -> None:
    """A national-format caller ID is only normalised when the region it was dialled in is known."""
    assert classify_caller_id("202 555 0123").e164 is None
    assert classify_caller_id("202 555 0123", "US").e164 == WASHINGTON


def test_short_code_is_a_number_without_e164() -> None:
    """A short code is shown as a number but cannot be looked up."""
    caller = classify_caller_id("12345", "US")
    assert (caller.kind, caller.e164, caller.raw) == ("number", None, "12345")


def test_caller_id_is_frozen() -> None:
    """CallerId is an immutable value object."""
    caller = classify_caller_id("+442079460958")
    with pytest.raises(AttributeError):
        caller.kind = "anonymous"  # type: ignore[misc]
