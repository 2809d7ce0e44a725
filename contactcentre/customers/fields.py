"""Validated field types of the customer profile, shared by the create and patch schemas.

Every rule raises a message naming the field and saying what a correct value looks like.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from contactcentre.customers.iso_codes import COUNTRIES, COUNTRY_HINTS, LANGUAGES
from contactcentre.store.types import utcnow

OLDEST_BIRTH_DATE = date(1900, 1, 1)


def _fail(code: str, message: str) -> PydanticCustomError:
    # PydanticCustomError keeps our message as is (a ValueError would gain a "Value error, "
    # prefix) and gives API clients a stable code.
    return PydanticCustomError(code, message)


def _squash(value: Any) -> Any:
    """Trim and collapse inner whitespace; a blank string means "not given"."""
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    return value


def _trim(value: Any) -> Any:
    """Trim and collapse inner whitespace of a value that cannot be null."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _not_a_number(value: Any, info: ValidationInfo) -> Any:
    """A flag is true or false (or a spreadsheet's "yes"), never 0 or 1 ({"at_risk": 0})."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _fail("bool_type", f"{info.field_name} must be true or false, not {value!r}")
    return value


def _not_a_flag(value: Any, info: ValidationInfo) -> Any:
    """A count is a number, never true or false: {"cancellations": true} was 1."""
    if isinstance(value, bool):
        shown = "true" if value else "false"
        raise _fail("int_type", f"{info.field_name} must be a whole number, not {shown}")
    return value


def _max_length(limit: int) -> Callable[[str | None, ValidationInfo], str | None]:
    def check(value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and len(value) > limit:
            raise _fail("too_long", f"{info.field_name} is longer than {limit} characters")
        return value

    return check


def _decimal_rule(
    max_digits: int, places: int, *, non_negative: bool
) -> Callable[[Decimal | None, ValidationInfo], Decimal | None]:
    def check(value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if value is None:
            return None
        name = info.field_name
        if not value.is_finite():
            raise _fail("not_finite", f"{name} must be a finite number")
        if non_negative and value < 0:
            raise _fail("negative", f"{name} must not be negative")
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places and value != round(value, places):
            raise _fail("too_precise", f"{name} has more than {places} decimal places")
        if abs(value) >= Decimal(10) ** (max_digits - places):
            raise _fail("too_large", f"{name} must be below {10 ** (max_digits - places)}")
        return value.quantize(Decimal(1).scaleb(-places))

    return check


def _int_range(low: int, high: int) -> Callable[[int | None, ValidationInfo], int | None]:
    def check(value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and not low <= value <= high:
            raise _fail("out_of_range", f"{info.field_name} must be between {low} and {high}")
        return value

    return check


def _birth_date(value: date | None, info: ValidationInfo) -> date | None:
    if value is None:
        return None
    if value > utcnow().date():
        raise _fail("future_date", f"{info.field_name} {value.isoformat()} is in the future")
    if value < OLDEST_BIRTH_DATE:
        raise _fail("too_old", f"{info.field_name} {value.isoformat()} is before 1900")
    return value


def _language(value: str | None, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    code = value.lower()
    if code not in LANGUAGES:
        raise _fail(
            "invalid_language",
            f"{info.field_name} {value!r} is not an ISO 639-1 code (two letters, e.g. en, fr, de)",
        )
    return code


def _country(value: str | None, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    code = value.upper()
    if code in COUNTRY_HINTS:
        raise _fail(
            "invalid_country",
            f"{info.field_name} {value!r} is not ISO 3166 alpha-2; use {COUNTRY_HINTS[code]}",
        )
    if code not in COUNTRIES:
        raise _fail(
            "invalid_country",
            f"{info.field_name} {value!r} is not an ISO 3166 alpha-2 code (e.g. US, GB, DE)",
        )
    return code


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone(value: str | None, info: ValidationInfo) -> str | None:
    if value is not None and value not in _timezones():
        raise _fail(
            "invalid_timezone",
            f"{info.field_name} {value!r} is not an IANA time zone such as Europe/London",
        )
    return value


def _email(value: str, info: ValidationInfo) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise _fail("invalid_email", f"email address {value!r} is not valid: {exc}") from None
    # Stored lower-case so lookups are case-insensitive without functional indexes.
    return value.lower()


def _required_text(value: str | None, info: ValidationInfo) -> str:
    if not value:
        raise _fail("blank", f"{info.field_name} is empty")
    return value


Text24 = Annotated[str | None, BeforeValidator(_squash), AfterValidator(_max_length(24))]
Text64 = Annotated[str | None, BeforeValidator(_squash), AfterValidator(_max_length(64))]
Text80 = Annotated[str | None, BeforeValidator(_squash), AfterValidator(_max_length(80))]
Text120 = Annotated[str | None, BeforeValidator(_squash), AfterValidator(_max_length(120))]
Text255 = Annotated[str | None, BeforeValidator(_squash), AfterValidator(_max_length(255))]
AccountNumber = Annotated[str | None, BeforeValidator(_squash), AfterValidator(_max_length(32))]
Postcode = Annotated[str | None, BeforeValidator(_squash), AfterValidator(_max_length(16))]
PhoneText = Annotated[
    str,
    BeforeValidator(_trim),
    AfterValidator(_required_text),
    AfterValidator(_max_length(64)),
]
EmailAddress = Annotated[
    str,
    BeforeValidator(_trim),
    AfterValidator(_required_text),
    AfterValidator(_max_length(254)),
    AfterValidator(_email),
]
LanguageCode = Annotated[str, BeforeValidator(_trim), AfterValidator(_language)]
CountryCode = Annotated[str | None, BeforeValidator(_squash), AfterValidator(_country)]
TimeZoneName = Annotated[str | None, BeforeValidator(_squash), AfterValidator(_timezone)]
BirthDate = Annotated[date | None, BeforeValidator(_squash), AfterValidator(_birth_date)]
PlainDate = Annotated[date | None, BeforeValidator(_squash)]
Money = Annotated[
    Decimal | None,
    BeforeValidator(_squash),
    AfterValidator(_decimal_rule(12, 2, non_negative=True)),
]
# The CLV inputs are never null: an unknown value is 0, which gives a CLV of 0.
PurchaseValue = Annotated[
    Decimal, BeforeValidator(_trim), AfterValidator(_decimal_rule(12, 2, non_negative=True))
]
SignedMoney = Annotated[
    Decimal | None,
    BeforeValidator(_squash),
    AfterValidator(_decimal_rule(12, 2, non_negative=False)),
]
PurchasesPerYear = Annotated[
    Decimal, BeforeValidator(_trim), AfterValidator(_decimal_rule(8, 2, non_negative=True))
]
RelationshipYears = Annotated[
    Decimal, BeforeValidator(_trim), AfterValidator(_decimal_rule(6, 2, non_negative=True))
]
Count = Annotated[
    int,
    BeforeValidator(_trim),
    BeforeValidator(_not_a_flag),
    AfterValidator(_int_range(0, 1_000_000)),
]
HouseholdSize = Annotated[
    int | None,
    BeforeValidator(_squash),
    BeforeValidator(_not_a_flag),
    AfterValidator(_int_range(1, 99)),
]
Satisfaction = Annotated[
    int | None,
    BeforeValidator(_squash),
    BeforeValidator(_not_a_flag),
    AfterValidator(_int_range(1, 5)),
]
# Not StrictBool: the CSV import reads these schemas from text cells ("true", "yes").
Flag = Annotated[bool, BeforeValidator(_not_a_number)]
