"""Builders for CTI tests: dispositions, a queue, a customer, an interaction on an agent's desk."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contactcentre.realtime.desk import Desk
from contactcentre.store.models import CustomerNote, Disposition, Interaction, Queue
from tests.builders import add_queue
from tests.integration.customers.builders import add_customer


@pytest.fixture
def runtime(app: Any) -> Any:
    return app.extensions["contactcentre"]


@pytest.fixture
def dispositions(runtime: Any) -> None:
    with runtime.db.session() as session:
        session.add(Disposition(code="resolved", label="Resolved", requires_note=False))
        session.add(Disposition(code="follow_up", label="Follow-up needed", requires_note=True))


@pytest.fixture
def customer(runtime: Any) -> int:
    """A gold, at-risk customer with one open note, reachable at +1 202 555 0177."""
    with runtime.db.session() as session:
        row = add_customer(
            session,
            runtime.settings,
            first_name="Ada",
            last_name="Byron",
            language="en",
            phones=[{"number": "+12025550177"}],
            average_purchase_value=100,
            purchases_per_year=4,
            relationship_years=8,
            at_risk=True,
            retention_offer="waive next month's fee",
        )
        session.add(CustomerNote(customer_id=row.id, body="Prefers email follow-ups."))
        return row.id


@pytest.fixture
def make_contact(runtime: Any) -> Callable[..., str]:
    """An interaction (optionally handled by an agent and ended) and its desk entry."""

    def _make(
        *,
        agent_id: int | None = None,
        customer_id: int | None = None,
        status: str = "assigned",
        desk_status: str | None = "active",
        attributes: dict[str, Any] | None = None,
        created_at: datetime | None = None,
    ) -> str:
        interaction_id = str(uuid.uuid4())
        with runtime.db.session() as session:
            queue = session.query(Queue).first()
            if queue is None:
                queue = add_queue(session, "Billing")
            session.add(
                Interaction(
                    id=interaction_id,
                    channel="voice",
                    status=status,
                    customer_id=customer_id,
                    agent_id=agent_id if status != "queued" else None,
                    queue_id=queue.id,
                    intent=(attributes or {}).get("intent"),
                    attributes=attributes or {},
                    created_at=created_at or datetime.now(UTC) - timedelta(seconds=30),
                )
            )
        if agent_id is not None and desk_status is not None:
            pipe = runtime.redis.pipeline()
            Desk(runtime.redis).task(
                pipe, str(agent_id), {"task_id": interaction_id, "status": desk_status}
            )
            pipe.execute()
        return interaction_id

    return _make
