"""Duplicate detection: which live customers already hold a phone, an email or an account number.

Queried in chunks so a 50,000-row import stays under the databases' bound-parameter limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.customers.contacts import Email, Phone
from contactcentre.customers.errors import DuplicateCustomer, InvalidPhone
from contactcentre.customers.phones import normalize_phone
from contactcentre.customers.schemas import CustomerIn, CustomerPatch
from contactcentre.store.models import Customer, CustomerEmail, CustomerPhone

_T = TypeVar("_T")


def find_duplicates(
    session: Session,
    data: CustomerIn | CustomerPatch,
    *,
    default_region: str | None = None,
    exclude_id: int | None = None,
) -> list[Customer]:
    """Customers (not erased) sharing any phone or email with `data`, by id.

    Phones are compared in E.164; without `default_region` only numbers written with a country
    code can be compared, and any number that does not parse is ignored (not an error here).
    """
    e164s = []
    for phone in data.phones or []:
        try:
            e164s.append(normalize_phone(phone.number, default_region or "ZZ", strict=False))
        except (InvalidPhone, ValueError):
            continue
    addresses = [email.address.lower() for email in data.emails or []]
    ids = {cid for _, cid in _phone_owners(session, e164s, exclude_id)}
    ids |= {cid for _, cid in _email_owners(session, addresses, exclude_id)}
    if not ids:
        return []
    return list(session.scalars(select(Customer).where(Customer.id.in_(ids)).order_by(Customer.id)))


def phone_owners(
    session: Session, e164s: Iterable[str], exclude_id: int | None = None
) -> dict[str, list[int]]:
    """Which live customers hold each of these numbers."""
    owners: dict[str, list[int]] = {}
    for e164, cid in _phone_owners(session, list(e164s), exclude_id):
        owners.setdefault(e164, []).append(cid)
    return owners


def email_owners(
    session: Session, addresses: Iterable[str], exclude_id: int | None = None
) -> dict[str, list[int]]:
    owners: dict[str, list[int]] = {}
    for address, cid in _email_owners(session, list(addresses), exclude_id):
        owners.setdefault(address, []).append(cid)
    return owners


def _chunks(items: Sequence[_T], size: int = 500) -> Iterable[Sequence[_T]]:
    # Keeps IN lists under SQLite's and PostgreSQL's bound-parameter limits on big imports.
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _phone_owners(
    session: Session, e164s: Sequence[str], exclude_id: int | None
) -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = []
    for chunk in _chunks(sorted(set(e164s))):
        stmt = (
            select(CustomerPhone.e164, CustomerPhone.customer_id)
            .join(Customer, Customer.id == CustomerPhone.customer_id)
            .where(CustomerPhone.e164.in_(chunk), Customer.erased_at.is_(None))
            .order_by(CustomerPhone.customer_id)
        )
        if exclude_id is not None:
            stmt = stmt.where(Customer.id != exclude_id)
        rows.extend((e164, cid) for e164, cid in session.execute(stmt))
    return rows


def _email_owners(
    session: Session, addresses: Sequence[str], exclude_id: int | None
) -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = []
    for chunk in _chunks(sorted(set(addresses))):
        stmt = (
            select(CustomerEmail.address, CustomerEmail.customer_id)
            .join(Customer, Customer.id == CustomerEmail.customer_id)
            .where(CustomerEmail.address.in_(chunk), Customer.erased_at.is_(None))
            .order_by(CustomerEmail.customer_id)
        )
        if exclude_id is not None:
            stmt = stmt.where(Customer.id != exclude_id)
        rows.extend((address, cid) for address, cid in session.execute(stmt))
    return rows


def account_number_owner(
    session: Session, account_number: str | None, exclude_id: int | None = None
) -> int | None:
    """The customer holding this account number (erased ones no longer hold any)."""
    if account_number is None:
        return None
    stmt = select(Customer.id).where(Customer.account_number == account_number)
    if exclude_id is not None:
        stmt = stmt.where(Customer.id != exclude_id)
    return session.scalars(stmt).first()


def account_number_owners(session: Session, numbers: Iterable[str]) -> dict[str, int]:
    """Which customer holds each of these account numbers."""
    owners: dict[str, int] = {}
    for chunk in _chunks(sorted(set(numbers))):
        stmt = select(Customer.account_number, Customer.id).where(
            Customer.account_number.in_(chunk)
        )
        owners.update({number: cid for number, cid in session.execute(stmt) if number})
    return owners


def refuse_duplicates(
    session: Session,
    phones: Sequence[Phone],
    emails: Sequence[Email],
    exclude_id: int | None,
) -> None:
    owners = phone_owners(session, [p.e164 for p in phones], exclude_id)
    for i, phone in enumerate(phones):
        if phone.e164 in owners:
            ids = owners[phone.e164]
            raise DuplicateCustomer(
                f"phones[{i}].number", f"{phone.e164} already belongs to customer {_ids(ids)}", ids
            )
    email_map = email_owners(session, [e.address for e in emails], exclude_id)
    for i, email in enumerate(emails):
        if email.address in email_map:
            ids = email_map[email.address]
            raise DuplicateCustomer(
                f"emails[{i}].address",
                f"{email.address} already belongs to customer {_ids(ids)}",
                ids,
            )


def refuse_taken_account_number(
    session: Session, account_number: str | None, exclude_id: int | None
) -> None:
    # Unique in the database, so allow_duplicate cannot override it.
    owner = account_number_owner(session, account_number, exclude_id)
    if owner is not None:
        raise DuplicateCustomer(
            "account_number",
            f"account number {account_number} belongs to customer {owner}",
            [owner],
        )


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids)
