"""Export of everything held about a customer, and erasure that keeps metrics intact."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactcentre.customers import erase_customer, export_customer
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import (
    AuditEntry,
    Customer,
    CustomerNote,
    Interaction,
    InteractionEvent,
    Message,
)
from tests.integration.customers.builders import add_customer, add_interaction

T0 = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


def seed(session: Session, settings: Settings) -> Customer:
    """A customer with contacts, a note, two interactions with events and messages."""
    customer = add_customer(
        session,
        settings,
        first_name="Ada",
        last_name="Lovelace",
        birth_date="1980-12-10",
        gender="female",
        marital_status="married",
        occupation="Analyst",
        country="GB",
        postcode="SW1A 1AA",
        account_number="ACC-1",
        phones=[{"number": "020 7946 0958"}],
        emails=[{"address": "ada@example.com"}],
        consent_marketing=True,
        average_purchase_value="100",
        purchases_per_year="4",
        relationship_years="8",
    )
    customer.notes.append(CustomerNote(body="Prefers email"))
    call = add_interaction(
        session,
        customer,
        T0,
        events=3,
        from_address="+442079460958",
        to_address="+442079460000",
        wrap_up_notes="Asked about rates elsewhere",
    )
    call.attributes = {
        "intent": "billing",
        "language": "en",
        "account_number": "ACC-1",
        "speech": "my name is Ada Lovelace",
    }
    chat = add_interaction(
        session, customer, T0, channel="chat", events=2, subject="Bill", from_address="ada"
    )
    session.add(Message(interaction_id=chat.id, direction="in", sender="customer", body="Hi"))
    session.add(
        Message(
            interaction_id=chat.id,
            direction="in",
            sender="customer",
            body="My bill",
            attachments=[{"name": "bill.pdf", "size": 1234}],
        )
    )
    assert call.id != chat.id
    session.flush()
    return customer


def test_export_contains_everything(session: Session, settings: Settings) -> None:
    """The export holds profile, contacts, notes, interactions with events and messages, as JSON."""
    customer = seed(session, settings)
    export = export_customer(session, customer.id)
    json.dumps(export)  # serialisable as is
    assert export["customer"]["first_name"] == "Ada"
    assert export["customer"]["birth_date"] == "1980-12-10"
    assert export["customer"]["clv"] == "3200.00"
    assert export["customer"]["consent_marketing"] is True
    assert export["customer"]["consent_updated_at"] is not None
    assert [p["e164"] for p in export["phones"]] == ["+442079460958"]
    assert [e["address"] for e in export["emails"]] == ["ada@example.com"]
    assert [n["body"] for n in export["notes"]] == ["Prefers email"]
    interactions = export["interactions"]
    assert sorted(len(i["events"]) for i in interactions) == [2, 3]
    chat = next(i for i in interactions if i["channel"] == "chat")
    assert [m["body"] for m in chat["messages"]] == ["Hi", "My bill"]
    assert chat["messages"][1]["attachments"] == [{"name": "bill.pdf", "size": 1234}]
    assert datetime.fromisoformat(chat["created_at"]) == T0


def test_export_of_unknown_customer(session: Session) -> None:
    """Exporting an unknown id raises LookupError."""
    with pytest.raises(LookupError):
        export_customer(session, 424242)


def counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Interaction)) or 0,
        session.scalar(select(func.count()).select_from(InteractionEvent)) or 0,
        session.scalar(select(func.count()).select_from(Message)) or 0,
    )


def test_erase_removes_personal_data_and_keeps_metrics(
    database: Database, settings: Settings
) -> None:
    """Erasure blanks PII everywhere, keeps interactions, events and messages, and is audited."""
    with database.session() as session:
        customer_id = seed(session, settings).id
        before = counts(session)
        events_before = session.scalars(select(InteractionEvent).order_by(InteractionEvent.id))
        event_rows = [(e.id, e.type, e.data) for e in events_before]
    with database.session() as session:
        erase_customer(
            session, customer_id, actor="user:1 (dpo)", actor_user_id=None, reason="GDPR art. 17"
        )
    with database.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        assert customer.erased_at is not None
        assert customer.display_name == f"Customer #{customer_id}"
        for name in ("first_name", "last_name", "birth_date", "gender", "marital_status"):
            assert getattr(customer, name) is None, name
        assert (customer.occupation, customer.postcode, customer.account_number) == (None,) * 3
        assert customer.phones == [] and customer.emails == [] and customer.notes == []
        assert customer.consent_marketing is False
        assert counts(session) == before
        after = session.scalars(select(InteractionEvent).order_by(InteractionEvent.id))
        assert [(e.id, e.type, e.data) for e in after] == event_rows
        for interaction in session.scalars(select(Interaction)):
            assert interaction.customer_id == customer_id
            assert (interaction.from_address, interaction.to_address) == (None, None)
            assert (interaction.subject, interaction.wrap_up_notes) == (None, None)
            # IVR-collected details go; the routing facts reports group by stay.
            assert set(interaction.attributes) <= {"intent", "language"}
        for message in session.scalars(select(Message)):
            assert (message.body, message.attachments) == ("", [])
        (entry,) = session.scalars(select(AuditEntry)).all()
        assert (entry.action, entry.target_type, entry.target_id) == (
            "customer.erase",
            "customer",
            str(customer_id),
        )
        assert (entry.actor, entry.details) == ("user:1 (dpo)", {"reason": "GDPR art. 17"})


def test_erase_twice_is_a_no_op(session: Session, settings: Settings) -> None:
    """A second erasure changes nothing and writes no second audit entry."""
    customer = seed(session, settings)
    erase_customer(session, customer.id, actor="cli", actor_user_id=None, reason="request")
    erased_at = customer.erased_at
    erase_customer(session, customer.id, actor="cli", actor_user_id=None, reason="again")
    assert customer.erased_at == erased_at
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_erase_unknown_customer(session: Session) -> None:
    """Erasing an unknown id raises LookupError and audits nothing."""
    with pytest.raises(LookupError):
        erase_customer(session, 424242, actor="cli", actor_user_id=None, reason="x")
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_erase_rolls_back_with_the_callers_transaction(
    database: Database, settings: Settings
) -> None:
    """Erasure and its audit entry commit or roll back together with the caller's transaction."""
    with database.session() as session:
        customer_id = seed(session, settings).id
    with pytest.raises(RuntimeError), database.session() as session:
        erase_customer(session, customer_id, actor="cli", actor_user_id=None, reason="x")
        raise RuntimeError("caller failed later")
    with database.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None and customer.first_name == "Ada"
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
