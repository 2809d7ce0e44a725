"""Creating and changing customer records: normalised contact points, duplicates, CLV, consent.

The caller owns the transaction: these functions flush (for ids) but never commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from contactcentre.customers.contacts import Email, Phone, normalize_emails, normalize_phones
from contactcentre.customers.duplicates import (
    find_duplicates,
    refuse_duplicates,
    refuse_taken_account_number,
)
from contactcentre.customers.errors import CustomerFieldError, DuplicateCustomer
from contactcentre.customers.postcodes import normalize_postcode
from contactcentre.customers.schemas import (
    CONSENT_FIELDS,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    EmailIn,
    EmailOut,
    PhoneIn,
    PhoneOut,
)
from contactcentre.customers.value import refresh_value
from contactcentre.customers.value_history import record_new, record_value
from contactcentre.settings import Settings
from contactcentre.store.models import Customer, CustomerEmail, CustomerPhone
from contactcentre.store.types import utcnow

__all__ = [
    "CustomerFieldError",
    "CustomerIn",
    "CustomerOut",
    "CustomerPatch",
    "DuplicateCustomer",
    "EmailIn",
    "EmailOut",
    "PhoneIn",
    "PhoneOut",
    "create_customer",
    "find_duplicates",
    "update_customer",
]

_CONTACT_FIELDS = {"phones", "emails"}


def build_customer(
    data: CustomerIn, phones: Sequence[Phone], emails: Sequence[Email], settings: Settings
) -> Customer:
    """A new, unsaved Customer from validated input and already normalised contact points."""
    customer = Customer(**data.model_dump(exclude=_CONTACT_FIELDS))
    customer.phones = [CustomerPhone(e164=p.e164, label=p.label, primary=p.primary) for p in phones]
    customer.emails = [CustomerEmail(address=e.address, primary=e.primary) for e in emails]
    if data.model_fields_set & set(CONSENT_FIELDS):
        # Consent given (or explicitly refused) now is a recorded decision with a time.
        customer.consent_updated_at = utcnow()
    refresh_value(customer, settings)
    return customer


def create_customer(
    session: Session, data: CustomerIn, settings: Settings, *, allow_duplicate: bool = False
) -> Customer:
    """Add a customer; a phone or email already on file raises DuplicateCustomer unless allowed."""
    phones = normalize_phones(data.phones, settings.default_phone_region)
    emails = normalize_emails(data.emails)
    refuse_taken_account_number(session, data.account_number, None)
    if not allow_duplicate:
        refuse_duplicates(session, phones, emails, None)
    customer = build_customer(data, phones, emails, settings)
    session.add(customer)
    session.flush()
    record_new(session, [customer])
    return customer


def update_customer(
    session: Session,
    customer: Customer,
    data: CustomerPatch,
    settings: Settings,
    *,
    allow_duplicate: bool = False,
) -> Customer:
    """Apply the fields present in `data`; recompute CLV and segment, stamp consent changes."""
    if customer.erased_at is not None:
        raise CustomerFieldError("id", f"customer {customer.id} was erased and cannot be changed")
    given = data.model_fields_set
    if "account_number" in given and data.account_number != customer.account_number:
        refuse_taken_account_number(session, data.account_number, customer.id)
    phones = (
        normalize_phones(data.phones or [], settings.default_phone_region)
        if "phones" in given
        else None
    )
    emails = normalize_emails(data.emails or []) if "emails" in given else None
    if not allow_duplicate:
        refuse_duplicates(session, phones or [], emails or [], customer.id)

    for name in sorted(given - _CONTACT_FIELDS):
        value = getattr(data, name)
        if name in CONSENT_FIELDS and value != getattr(customer, name):
            customer.consent_updated_at = utcnow()
        setattr(customer, name, value)
    if given & {"postcode", "country"} and customer.postcode is not None:
        # Either may change alone, so the pair is checked as it will be stored.
        try:
            customer.postcode = normalize_postcode(customer.postcode, customer.country)
        except ValueError as exc:
            raise CustomerFieldError("postcode", str(exc)) from None
    if phones is not None:
        _replace_phones(customer, phones)
    if emails is not None:
        _replace_emails(customer, emails)
    refresh_value(customer, settings)
    session.flush()
    # In the same transaction: a changed value is stored with its history row (and alert).
    record_value(session, customer)
    return customer


def _replace_phones(customer: Customer, phones: Sequence[Phone]) -> None:
    # Rows for numbers that stay are reused: deleting and re-inserting the same number in one
    # flush would hit the (customer_id, e164) unique constraint, as inserts run before deletes.
    existing = {row.e164: row for row in customer.phones}
    rows = []
    for phone in phones:
        row = existing.get(phone.e164) or CustomerPhone(e164=phone.e164)
        row.label = phone.label
        row.primary = phone.primary
        rows.append(row)
    customer.phones = rows


def _replace_emails(customer: Customer, emails: Sequence[Email]) -> None:
    existing = {row.address: row for row in customer.emails}
    rows = []
    for email in emails:
        row = existing.get(email.address) or CustomerEmail(address=email.address)
        row.primary = email.primary
        rows.append(row)
    customer.emails = rows
