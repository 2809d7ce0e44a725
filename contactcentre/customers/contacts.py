"""Contact points ready to store: phones in E.164, emails lower-case, exactly one primary of each.

A problem names the entry it is in ("phones[1].number") so a form can point at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from contactcentre.customers.errors import CustomerFieldError, InvalidPhone
from contactcentre.customers.phones import normalize_phone
from contactcentre.customers.schemas import EmailIn, PhoneIn


@dataclass(frozen=True)
class Phone:
    """A phone ready to store: E.164, label, primary flag."""

    e164: str
    label: str
    primary: bool


@dataclass(frozen=True)
class Email:
    address: str
    primary: bool


def normalize_phones(phones: Sequence[PhoneIn], default_region: str) -> list[Phone]:
    """E.164 for each phone; a bad or repeated number names its position, e.g. phones[1].number."""
    result: list[Phone] = []
    seen: dict[str, int] = {}
    for i, phone in enumerate(phones):
        field = f"phones[{i}].number"
        try:
            e164 = normalize_phone(phone.number, default_region)
        except InvalidPhone as exc:
            raise CustomerFieldError(field, f"{phone.number!r}: {exc.message}") from None
        if e164 in seen:
            raise CustomerFieldError(field, f"same number as phones[{seen[e164]}] ({e164})")
        seen[e164] = i
        result.append(Phone(e164, phone.label, phone.primary))
    return _with_primary(result)


def normalize_emails(emails: Sequence[EmailIn]) -> list[Email]:
    result: list[Email] = []
    seen: dict[str, int] = {}
    for i, email in enumerate(emails):
        address = email.address.lower()  # the schema lower-cases too; this keeps it an invariant
        if address in seen:
            raise CustomerFieldError(
                f"emails[{i}].address", f"same address as emails[{seen[address]}] ({address})"
            )
        seen[address] = i
        result.append(Email(address, email.primary))
    return _with_primary(result)


_Contact = TypeVar("_Contact", Phone, Email)


def _with_primary(items: list[_Contact]) -> list[_Contact]:
    # Exactly one primary when there is any: the screen pop and the dialer need one to use.
    if items and not any(item.primary for item in items):
        items[0] = replace(items[0], primary=True)
    return items
