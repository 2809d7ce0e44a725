"""Finding customers: by caller number, by email, by id, and free-text search for the agent desk.

Erased customers are tombstones and are never found; ties rank by the latest interaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, or_, select
from sqlalchemy.orm import Session

from contactcentre.customers.errors import InvalidPhone
from contactcentre.customers.phones import normalize_phone
from contactcentre.store.models import Customer, CustomerEmail, CustomerPhone, Interaction

_PHONE_LIKE = re.compile(r"^[+\d\s\-./()]+$")
MIN_PARTIAL_DIGITS = 6  # fewer trailing digits match too many unrelated numbers


def _last_contact() -> ScalarSelect[Any]:
    """Time of each customer's latest interaction, NULL when there is none."""
    return (
        select(func.max(Interaction.created_at))
        .where(Interaction.customer_id == Customer.id)
        .correlate(Customer)
        .scalar_subquery()
    )


def _ranked(stmt: Select[Customer], *first: ColumnElement[Any]) -> Select[Customer]:
    # nulls_last: PostgreSQL sorts NULL first in DESC order, SQLite last; customers never
    # contacted must rank below those who were, on both.
    return stmt.where(Customer.erased_at.is_(None)).order_by(
        *first, _last_contact().desc().nulls_last(), Customer.id
    )


def find_by_phone(session: Session, raw: str, default_region: str) -> list[Customer]:
    """Every customer holding this number: primary holders first, then latest contact, then id.

    A number that cannot be parsed finds nobody (a caller ID is often junk); it is not an error.
    """
    try:
        e164 = normalize_phone(raw, default_region, strict=False)
    except InvalidPhone:
        return []
    stmt = select(Customer).join(CustomerPhone).where(CustomerPhone.e164 == e164)
    return list(session.scalars(_ranked(stmt, CustomerPhone.primary.desc())))


def find_by_email(session: Session, address: str) -> list[Customer]:
    """Customers with this address, any case, surrounding spaces ignored."""
    normalized = address.strip().lower()
    if not normalized:
        return []
    stmt = select(Customer).join(CustomerEmail).where(CustomerEmail.address == normalized)
    return list(session.scalars(_ranked(stmt, CustomerEmail.primary.desc())))


def get_customer(
    session: Session, customer_id: int, *, include_erased: bool = False
) -> Customer | None:
    """The customer with this id; an erased one only when asked for (it holds no personal data)."""
    customer = session.get(Customer, customer_id)
    if customer is None or (customer.erased_at is not None and not include_erased):
        return None
    return customer


def search(session: Session, q: str, default_region: str, limit: int = 20) -> list[Customer]:
    """Customers matching a name, email, phone (any format) or account number, best match first.

    Exact matches (account number, whole phone number, whole email, whole name) come before
    prefix matches, which come before matches anywhere in the name or email.
    """
    text = " ".join(q.split())
    if not text or limit <= 0:
        return []
    found: dict[int, Customer] = {}
    for tier in _tiers(text, default_region):
        for customer in session.scalars(_ranked(tier).limit(limit)):
            found.setdefault(customer.id, customer)
            if len(found) >= limit:
                return list(found.values())
    return list(found.values())


def _tiers(text: str, default_region: str) -> list[Select[Customer]]:
    """Queries from most to least specific; each kind of query only when the text fits it."""
    tiers = [select(Customer).where(Customer.account_number == text)]
    lowered = text.lower()
    if _PHONE_LIKE.match(text):
        tiers.extend(_phone_tiers(text, default_region))
    if "@" in text:
        tiers.append(_having_email(CustomerEmail.address == lowered))
    tiers.extend(_name_tiers(lowered))
    if "@" in text or "." in text:
        tiers.append(
            _having_email(CustomerEmail.address.like(f"%{_escape(lowered)}%", escape="\\"))
        )
    return tiers


# IN (subquery) rather than a join: a customer with two matching emails must appear once, and
# DISTINCT would clash with ordering by the latest contact on PostgreSQL.
def _having_phone(condition: ColumnElement[bool]) -> Select[Customer]:
    return select(Customer).where(
        Customer.id.in_(select(CustomerPhone.customer_id).where(condition))
    )


def _having_email(condition: ColumnElement[bool]) -> Select[Customer]:
    return select(Customer).where(
        Customer.id.in_(select(CustomerEmail.customer_id).where(condition))
    )


def _phone_tiers(text: str, default_region: str) -> list[Select[Customer]]:
    tiers = []
    try:
        e164 = normalize_phone(text, default_region, strict=False)
        tiers.append(_having_phone(CustomerPhone.e164 == e164))
    except InvalidPhone:
        pass
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) >= MIN_PARTIAL_DIGITS:
        # The end of a number is what people remember and what survives any prefix style.
        tiers.append(_having_phone(CustomerPhone.e164.like(f"%{digits}")))
    return tiers


def _name_tiers(lowered: str) -> list[Select[Customer]]:
    if not any(c.isalpha() for c in lowered):
        return []
    first = func.lower(func.coalesce(Customer.first_name, ""))
    last = func.lower(func.coalesce(Customer.last_name, ""))
    full = first + " " + last
    pattern = _escape(lowered)
    return [
        select(Customer).where(or_(full == lowered, last + " " + first == lowered)),
        select(Customer).where(
            or_(*_like_all((first, last), pattern + "%"), full.like(pattern + "%", escape="\\"))
        ),
        select(Customer).where(full.like(f"%{pattern}%", escape="\\")),
    ]


def _like_all(columns: Sequence[ColumnElement[str]], pattern: str) -> list[ColumnElement[bool]]:
    return [column.like(pattern, escape="\\") for column in columns]


def _escape(text: str) -> str:
    """Make % and _ in user input literal inside LIKE."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
