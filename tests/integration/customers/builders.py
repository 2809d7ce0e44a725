"""Small builders for customer integration tests: customers and interactions with events.

Customers and events go through the real services (create_customer, the event log).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from contactcentre.customers import CustomerIn, create_customer
from contactcentre.interactions.event_log import NewEvent, append
from contactcentre.settings import Settings
from contactcentre.store.models import Customer, Interaction


def add_customer(session: Session, settings: Settings, **fields: Any) -> Customer:
    """A customer through the real create service; duplicates allowed so tests can share numbers."""
    return create_customer(
        session, CustomerIn.model_validate(fields), settings, allow_duplicate=True
    )


def add_interaction(
    session: Session,
    customer: Customer | None,
    created_at: datetime,
    *,
    channel: str = "voice",
    events: int = 0,
    **fields: Any,
) -> Interaction:
    """An interaction of the customer with `events` appended through the event log."""
    interaction = Interaction(
        id=str(uuid.uuid4()),
        channel=channel,
        customer_id=customer.id if customer else None,
        created_at=created_at,
        **fields,
    )
    session.add(interaction)
    session.flush()
    for n in range(events):
        append(
            session,
            NewEvent(
                interaction_id=interaction.id,
                type="created" if n == 0 else "completed",
                occurred_at=created_at,
                idempotency_key=f"{interaction.id}:{n}",
                data={"n": n},
            ),
        )
    return interaction
