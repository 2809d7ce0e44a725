"""Builders for customer integration tests: settings without Redis, customers, interactions.

The services never commit, so each test commits through `database.session()` like a caller would.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from contactcentre.customers import CustomerIn, create_customer
from contactcentre.interactions.event_log import NewEvent, append
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import Customer, Interaction


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for one test; these services need no Redis, so none is started."""
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=database_url,
        secret_key="test-secret-key",
        processes=[],
        default_phone_region="GB",
    )


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """One unit of work, committed at the end of the test like a request would be."""
    with database.session() as session:
        yield session


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
