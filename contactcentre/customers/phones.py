"""Phone numbers: any sane human format to E.164, extensions split off, caller IDs classified.

E.164 is the only form stored, so every spelling of one number finds the same customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, ValidationResult

from contactcentre.customers.errors import InvalidPhone

__all__ = [
    "CallerId",
    "InvalidPhone",
    "classify_caller_id",
    "normalize_phone",
    "parse_phone",
    "split_extension",
]

_URI_PREFIX = re.compile(r"^\s*(?:tel|callto)\s*:\s*", re.IGNORECASE)
# ";ext=12" (RFC 3966), "ext. 12", "extension 12", "x12", "#12" at the very end.
_EXTENSION = re.compile(
    r"(?:\s*;\s*ext\s*=\s*|\s*(?:ext\b\.?|extension\b|x|#)\s*)(\d{1,7})\s*$", re.IGNORECASE
)
# Digits plus the separators people type: spaces, dashes (incl. typographic), dots, slashes,
# brackets; "+" only in front.
_ALLOWED = re.compile(r"^\+?[\d\s\-./()\u2010-\u2015\u2212]+$")
_MAX_INPUT = 64


def split_extension(raw: str) -> tuple[str, str | None]:
    """Split "020 7946 0958 ext. 12" into ("020 7946 0958", "12"); no extension gives None."""
    text = _URI_PREFIX.sub("", raw).strip()
    match = _EXTENSION.search(text)
    if match is None or not any(c.isdigit() for c in text[: match.start()]):
        return text, None
    return text[: match.start()].strip(), match.group(1)


def normalize_phone(raw: str, default_region: str, *, strict: bool = True) -> str:
    """E.164 for any format of a number; national numbers are read in `default_region`.

    `strict` also requires the number to be in an assigned range (what users type into a
    profile); lookups pass strict=False so a caller is found even if the metadata is stale.
    An extension is dropped: it is not part of the number a customer calls from.
    """
    number = parse_phone(raw, default_region)
    _check(number, default_region, strict=strict)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_phone(raw: str, default_region: str) -> PhoneNumber:
    """The parsed number, or InvalidPhone saying why it is not one."""
    region = default_region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown default phone region {default_region!r}; use ISO 3166 alpha-2")
    if raw is None or not raw.strip():
        raise InvalidPhone("phone number is empty")
    if len(raw) > _MAX_INPUT:
        raise InvalidPhone(f"not a phone number: longer than {_MAX_INPUT} characters")
    text, _extension = split_extension(raw)
    text = text.split(";", 1)[0].strip()  # RFC 3966 parameters such as ;phone-context=
    if any(c.isalpha() for c in text):
        raise InvalidPhone("not a phone number: letters are not allowed, write digits only")
    if not any(c.isdigit() for c in text):
        raise InvalidPhone("not a phone number: it has no digits")
    if not _ALLOWED.match(text):
        raise InvalidPhone(
            "not a phone number: use digits with spaces, dashes, dots, slashes or brackets, "
            "and '+' only in front"
        )
    number = _parse(text, region)
    if text.startswith("00") and not phonenumbers.is_possible_number(number):
        # "00" is the international prefix almost everywhere but the NANP (011), where
        # phonenumbers would read it as part of a national number.
        number = _parse("+" + text[2:], region)
    return number


def _parse(text: str, region: str) -> PhoneNumber:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise InvalidPhone(_parse_error_message(exc, region)) from None


def _parse_error_message(exc: NumberParseException, region: str) -> str:
    kind = exc.error_type
    if kind == NumberParseException.INVALID_COUNTRY_CODE:
        return "unknown country calling code; start with + and a valid country code"
    if kind in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
        return f"too short for region {region}"
    if kind == NumberParseException.TOO_LONG:
        return "too long: a phone number has at most 15 digits"
    return "not a phone number"


def _check(number: PhoneNumber, default_region: str, *, strict: bool) -> None:
    country_code = number.country_code or 0
    region = phonenumbers.region_code_for_country_code(country_code) or default_region.upper()
    if region == "ZZ":
        region = f"+{country_code}"
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        raise InvalidPhone(f"unknown country calling code +{country_code}")
    if reason == ValidationResult.TOO_SHORT:
        raise InvalidPhone(f"too short for region {region}")
    if reason == ValidationResult.TOO_LONG:
        raise InvalidPhone(f"too long for region {region}")
    if reason == ValidationResult.INVALID_LENGTH:
        raise InvalidPhone(f"wrong number of digits for region {region}")
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        raise InvalidPhone(f"local number only: add the area code (region {region})")
    if strict and not phonenumbers.is_valid_number(number):
        raise InvalidPhone(f"not a valid number in region {region}: no such area code or range")


CallerIdKind = Literal["number", "anonymous", "client", "sip"]

# What carriers and Twilio put in From when the number is withheld. The numeric ones spell
# ANONYMOUS, RESTRICTED, UNAVAILABLE, BLOCKED and UNKNOWN on a keypad.
_WITHHELD_WORDS = frozenset(
    {"anonymous", "restricted", "unavailable", "unknown", "private", "blocked", "withheld"}
)
_WITHHELD_DIGITS = frozenset({"266696687", "7378742833", "86282452253", "2562533", "8656696"})
_SIP_URI = re.compile(r"^(?:.*<)?\s*sips?:(?P<user>[^@;>]*)(?:@(?P<host>[^;>]*))?", re.IGNORECASE)


@dataclass(frozen=True)
class CallerId:
    """Who the telephony layer says is calling.

    kind "number" with e164 None is a number we could not put in E.164 (a short code, or a
    national number without a region); it is shown to the agent but never looked up.
    """

    kind: CallerIdKind
    e164: str | None
    identity: str | None
    raw: str


def classify_caller_id(raw: str | None, default_region: str | None = None) -> CallerId:
    """Classify a caller ID from Twilio or a SIP trunk: withheld, client, SIP URI or a number."""
    text = (raw or "").strip()
    if _is_withheld(text):
        return CallerId("anonymous", None, None, text)
    if text.lower().startswith("client:"):
        identity = text[len("client:") :].strip()
        if not identity:
            return CallerId("anonymous", None, None, text)
        return CallerId("client", None, identity, text)
    sip = _SIP_URI.match(text)
    if sip is not None:
        user = sip.group("user").strip()
        host = (sip.group("host") or "").strip()
        if _is_withheld(user):
            return CallerId("anonymous", None, None, text)
        identity = f"{user}@{host}" if host else user
        return CallerId("sip", _lenient_e164(user, default_region), identity or None, text)
    return CallerId("number", _lenient_e164(text, default_region), None, text)


def _is_withheld(text: str) -> bool:
    digits = text.lstrip("+")
    return (
        not text
        or text.lower() in _WITHHELD_WORDS
        or digits in _WITHHELD_DIGITS
        or (digits.startswith("1") and digits[1:] in _WITHHELD_DIGITS)
    )


def _lenient_e164(text: str, default_region: str | None) -> str | None:
    if not text or (not text.startswith("+") and default_region is None):
        return None  # a national number means nothing without the region it was dialled in
    try:
        return normalize_phone(text, default_region or "US", strict=False)
    except InvalidPhone:
        return None
