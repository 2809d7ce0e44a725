"""Creating and updating customers: normalisation, duplicates, CLV, consent stamps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from contactcentre.customers import (
    CustomerFieldError,
    CustomerIn,
    CustomerPatch,
    DuplicateCustomer,
    create_customer,
    erase_customer,
    find_duplicates,
    update_customer,
)
from contactcentre.settings import Settings
from contactcentre.store.models import Customer, CustomerPhone
from tests.integration.customers.builders import add_customer


def new(**fields: object) -> CustomerIn:
    return CustomerIn.model_validate(fields)


def patch(**fields: object) -> CustomerPatch:
    return CustomerPatch.model_validate(fields)


def test_create_normalises_and_computes_value(session: Session, settings: Settings) -> None:
    """A created customer has E.164 phones, lower-case emails, a primary of each, CLV, segment."""
    customer = create_customer(
        session,
        new(
            first_name="Ada",
            phones=[{"number": "020 7946 0958"}, {"number": "+1 202-555-0123", "label": "work"}],
            emails=[{"address": "Ada@Example.com"}],
            average_purchase_value="100",
            purchases_per_year="4",
            relationship_years="8",
        ),
        settings,
    )
    session.expire_all()
    stored = session.get(Customer, customer.id)
    assert stored is not None
    assert [(p.e164, p.label, p.primary) for p in stored.phones] == [
        ("+442079460958", "mobile", True),
        ("+12025550123", "work", False),
    ]
    assert [(e.address, e.primary) for e in stored.emails] == [("ada@example.com", True)]
    assert (stored.clv, stored.segment) == (Decimal("3200.00"), "gold")
    assert stored.consent_updated_at is None


def test_invalid_phone_names_its_position(session: Session, settings: Settings) -> None:
    """A bad number is reported at phones[i].number with the reason."""
    data = new(first_name="Ada", phones=[{"number": "020 7946 0958"}, {"number": "12"}])
    with pytest.raises(CustomerFieldError) as info:
        create_customer(session, data, settings)
    assert info.value.field == "phones[1].number"
    assert "too short for region GB" in info.value.message


def test_same_number_twice_in_one_record_is_refused(session: Session, settings: Settings) -> None:
    """Two spellings of one number in the same record are one number, reported as repeated."""
    data = new(phones=[{"number": "020 7946 0958"}, {"number": "+44 20 7946 0958"}])
    with pytest.raises(CustomerFieldError, match="same number as phones\\[0\\]") as info:
        create_customer(session, data, settings)
    assert info.value.field == "phones[1].number"


def test_duplicate_phone_is_refused_unless_allowed(session: Session, settings: Settings) -> None:
    """A phone already on file refuses the create with the holders' ids; allow_duplicate adds it."""
    first = add_customer(session, settings, first_name="Ada", phones=[{"number": "020 7946 0958"}])
    data = new(first_name="Ada L", phones=[{"number": "+44 20 7946 0958"}])
    with pytest.raises(DuplicateCustomer) as info:
        create_customer(session, data, settings)
    assert (info.value.field, info.value.existing_ids) == ("phones[0].number", [first.id])
    second = create_customer(session, data, settings, allow_duplicate=True)
    assert second.id != first.id


def test_duplicate_email_is_refused(session: Session, settings: Settings) -> None:
    """An email already on file, in any case, refuses the create."""
    first = add_customer(session, settings, emails=[{"address": "ada@example.com"}])
    with pytest.raises(DuplicateCustomer) as info:
        create_customer(session, new(emails=[{"address": "ADA@example.com"}]), settings)
    assert (info.value.field, info.value.existing_ids) == ("emails[0].address", [first.id])


def test_account_number_is_unique_even_when_duplicates_allowed(
    session: Session, settings: Settings
) -> None:
    """An account number on file is always refused: the database holds it unique."""
    first = add_customer(session, settings, first_name="Ada", account_number="A-1")
    with pytest.raises(DuplicateCustomer) as info:
        create_customer(
            session, new(first_name="Bob", account_number="A-1"), settings, allow_duplicate=True
        )
    assert info.value.existing_ids == [first.id]


def test_find_duplicates_by_phone_or_email(session: Session, settings: Settings) -> None:
    """find_duplicates lists every live customer sharing a phone or an email."""
    by_phone = add_customer(session, settings, phones=[{"number": "020 7946 0958"}])
    by_email = add_customer(session, settings, emails=[{"address": "ada@example.com"}])
    unrelated = add_customer(session, settings, first_name="Bob")
    data = new(phones=[{"number": "020 7946 0958"}], emails=[{"address": "Ada@Example.com"}])
    found = find_duplicates(session, data, default_region="GB")
    assert [c.id for c in found] == [by_phone.id, by_email.id]
    assert unrelated.id not in [c.id for c in find_duplicates(session, data)]
    erase_customer(session, by_phone.id, actor="test", actor_user_id=None, reason="x")
    assert [c.id for c in find_duplicates(session, data, default_region="GB")] == [by_email.id]


def test_update_changes_only_given_fields(session: Session, settings: Settings) -> None:
    """A patch leaves absent fields alone and clears fields given as null."""
    customer = add_customer(session, settings, first_name="Ada", occupation="Analyst")
    update_customer(session, customer, patch(last_name="Lovelace", occupation=None), settings)
    assert (customer.first_name, customer.last_name, customer.occupation) == (
        "Ada",
        "Lovelace",
        None,
    )


def test_update_recomputes_value(session: Session, settings: Settings) -> None:
    """Changing a CLV input recomputes CLV and segment."""
    customer = add_customer(
        session,
        settings,
        first_name="Ada",
        average_purchase_value="20",
        purchases_per_year="5",
        relationship_years="3",
    )
    assert (customer.clv, customer.segment) == (Decimal("300.00"), "bronze")
    update_customer(session, customer, patch(average_purchase_value="400"), settings)
    assert (customer.clv, customer.segment) == (Decimal("6000.00"), "platinum")


def test_consent_change_is_stamped(session: Session, settings: Settings) -> None:
    """consent_updated_at is set when a consent flag changes, and only then."""
    customer = add_customer(session, settings, first_name="Ada", consent_marketing=True)
    given_at = customer.consent_updated_at
    assert given_at is not None
    update_customer(session, customer, patch(consent_marketing=True), settings)
    assert customer.consent_updated_at == given_at
    update_customer(session, customer, patch(consent_marketing=False), settings)
    assert customer.consent_updated_at is not None
    assert customer.consent_updated_at >= given_at
    assert customer.consent_marketing is False


def test_update_replaces_phones_keeping_rows(session: Session, settings: Settings) -> None:
    """Replacing phones keeps the row of a number that stays and drops the others."""
    customer = add_customer(
        session,
        settings,
        first_name="Ada",
        phones=[{"number": "020 7946 0958"}, {"number": "0161 496 0000"}],
    )
    kept_id = customer.phones[0].id
    update_customer(
        session,
        customer,
        patch(phones=[{"number": "+44 20 7946 0958", "label": "home"}, {"number": "07400123456"}]),
        settings,
    )
    session.expire_all()
    rows = session.query(CustomerPhone).filter_by(customer_id=customer.id).all()
    assert sorted(r.e164 for r in rows) == ["+442079460958", "+447400123456"]
    kept = next(r for r in rows if r.e164 == "+442079460958")
    assert (kept.id, kept.label, kept.primary) == (kept_id, "home", True)


def test_update_refuses_another_customers_email(session: Session, settings: Settings) -> None:
    """Adding a contact point held by another customer is refused unless allowed."""
    other = add_customer(session, settings, emails=[{"address": "bob@example.com"}])
    customer = add_customer(session, settings, emails=[{"address": "ada@example.com"}])
    change = patch(emails=[{"address": "ada@example.com"}, {"address": "bob@example.com"}])
    with pytest.raises(DuplicateCustomer) as info:
        update_customer(session, customer, change, settings)
    assert (info.value.field, info.value.existing_ids) == ("emails[1].address", [other.id])
    update_customer(session, customer, change, settings, allow_duplicate=True)
    assert len(customer.emails) == 2


def test_update_checks_postcode_against_stored_country(
    session: Session, settings: Settings
) -> None:
    """A postcode patched alone is checked against the country already on file."""
    customer = add_customer(session, settings, first_name="Ada", country="GB", postcode="SW1A 1AA")
    with pytest.raises(CustomerFieldError) as info:
        update_customer(session, customer, patch(postcode="90210"), settings)
    assert info.value.field == "postcode"
    update_customer(session, customer, patch(postcode="ec1a1bb"), settings)
    assert customer.postcode == "EC1A 1BB"


def test_erased_customer_cannot_be_updated(session: Session, settings: Settings) -> None:
    """A tombstone stays anonymous: updates are refused."""
    customer = add_customer(session, settings, first_name="Ada")
    erase_customer(session, customer.id, actor="test", actor_user_id=None, reason="x")
    with pytest.raises(CustomerFieldError, match="was erased"):
        update_customer(session, customer, patch(first_name="Ada"), settings)
