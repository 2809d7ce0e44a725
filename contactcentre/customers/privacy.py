"""Data-subject rights: export everything held about a customer, and erase their personal data.

Erasure keeps the customer id as an anonymous tombstone and every interaction event, so metrics
survive; the event log holds no personal data and is append-only, so it is never touched.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from contactcentre.store.models import (
    AuditEntry,
    Customer,
    Interaction,
    InteractionEvent,
    Message,
    WrapUp,
)
from contactcentre.store.types import utcnow

# Personal data on the customer row. Kept: language, country, CLV inputs and segment, counters
# and flags, which say nothing about who the person was once names and contacts are gone.
ERASED_PROFILE_FIELDS = (
    "first_name", "last_name", "timezone", "birth_date", "gender", "marital_status",
    "household_size", "occupation", "postcode", "account_number", "last_order_status",
    "retention_offer", "warranty_until", "average_bill", "account_balance",
)  # fmt: skip
ERASED_INTERACTION_FIELDS = ("from_address", "to_address", "subject", "wrap_up_notes")
# Interaction attributes may hold what the IVR or bot collected (account numbers, names, speech);
# on erasure only these routing facts, which metrics and reports group by, are kept.
KEPT_INTERACTION_ATTRIBUTES = frozenset(
    {"intent", "language", "segment", "channel", "queue_id", "priority", "ivr_exit"}
)


def export_customer(session: Session, customer_id: int) -> dict[str, Any]:
    """Everything held about the customer as JSON-ready data (ISO 8601 times, decimals as text)."""
    customer = _load(session, customer_id)
    interactions = session.scalars(
        select(Interaction)
        .where(Interaction.customer_id == customer.id)
        .order_by(Interaction.created_at, Interaction.id)
    ).all()
    return {
        "exported_at": utcnow().isoformat(),
        "customer": {**_columns(customer), "display_name": customer.display_name},
        "phones": [_columns(phone) for phone in customer.phones],
        "emails": [_columns(email) for email in customer.emails],
        "notes": [_columns(note) for note in customer.notes],
        "interactions": [_interaction(session, interaction) for interaction in interactions],
    }


def _interaction(session: Session, interaction: Interaction) -> dict[str, Any]:
    events = session.scalars(
        select(InteractionEvent)
        .where(InteractionEvent.interaction_id == interaction.id)
        .order_by(InteractionEvent.id)
    )
    messages = session.scalars(
        select(Message).where(Message.interaction_id == interaction.id).order_by(Message.id)
    )
    wrap_ups = session.scalars(
        select(WrapUp).where(WrapUp.interaction_id == interaction.id).order_by(WrapUp.id)
    )
    return {
        **_columns(interaction),
        "events": [_columns(event) for event in events],
        "messages": [_columns(message) for message in messages],
        "wrap_ups": [_columns(wrap_up) for wrap_up in wrap_ups],
    }


def _columns(row: object) -> dict[str, Any]:
    mapper = inspect(row).mapper
    return {attr.key: _json(getattr(row, attr.key)) for attr in mapper.column_attrs}


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # exact, unlike a float
    return value


def erase_customer(
    session: Session,
    customer_id: int,
    *,
    actor: str,
    actor_user_id: int | None,
    reason: str,
) -> None:
    """Remove the customer's personal data and audit it, in the caller's transaction.

    Erasing an already erased customer does nothing and writes no second audit entry: the
    audit log records erasures that happened, not requests. Unknown id: LookupError.
    """
    customer = _load(session, customer_id)
    if customer.erased_at is not None:
        return
    now = utcnow()
    for name in ERASED_PROFILE_FIELDS:
        setattr(customer, name, None)
    if customer.consent_marketing or customer.consent_recording:
        customer.consent_updated_at = now
    customer.consent_marketing = False
    customer.consent_recording = False
    customer.at_risk = False
    customer.satisfaction = None
    customer.phones.clear()
    customer.emails.clear()
    customer.notes.clear()
    customer.erased_at = now

    # Bulk UPDATEs of interactions and messages only; interaction_events is append-only (a
    # trigger rejects any UPDATE), and its rows carry ids and measurements, no personal data.
    interaction_ids = select(Interaction.id).where(Interaction.customer_id == customer.id)
    session.execute(
        update(Message)
        .where(Message.interaction_id.in_(interaction_ids))
        .values(body="", attachments=[]),
        execution_options={"synchronize_session": "fetch"},
    )
    session.execute(
        update(Interaction)
        .where(Interaction.customer_id == customer.id)
        .values(dict.fromkeys(ERASED_INTERACTION_FIELDS)),
        execution_options={"synchronize_session": "fetch"},
    )
    # Each agent's wrap-up notes of those contacts are personal data too.
    session.execute(
        update(WrapUp)
        .where(
            WrapUp.interaction_id.in_(
                select(Interaction.id).where(Interaction.customer_id == customer.id)
            )
        )
        .values(notes=None),
        execution_options={"synchronize_session": False},
    )
    for interaction in session.scalars(
        select(Interaction).where(Interaction.customer_id == customer.id)
    ):
        interaction.attributes = {
            k: v for k, v in interaction.attributes.items() if k in KEPT_INTERACTION_ATTRIBUTES
        }
    session.add(
        AuditEntry(
            actor=actor,
            actor_user_id=actor_user_id,
            action="customer.erase",
            target_type="customer",
            target_id=str(customer.id),
            details={"reason": reason},
        )
    )
    session.flush()


def _load(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise LookupError(f"no customer with id {customer_id}")
    return customer
