"""The interaction event log: idempotent appends, no updates, queries by interaction and time.

Any process may append (web, router, worker); a retried append with the same key is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from contactcentre.store.db import insert_for
from contactcentre.store.models import InteractionEvent
from contactcentre.store.types import utcnow

EVENT_TYPES = frozenset(
    {
        "created",
        "ivr_step",
        "queued",
        "offered",
        "accepted",
        "rejected",
        "offer_expired",
        "offer_withdrawn",
        "answered",
        "held",
        "unheld",
        "muted",
        "unmuted",
        "transferred",
        "transfer_started",
        "transfer_canceled",
        "transfer_failed",
        "conference_joined",
        "conference_left",
        "recording_started",
        "recording_stopped",
        "abandoned",
        "callback_requested",
        "voicemail",
        "machine_detection",
        "wrap_up",
        "completed",
        "message_in",
        "message_out",
        "message_internal",
        "bot_handover",
        "customer_left",
        "survey",
        "disposition",
        "step_changed",
        "exited",
        "canceled",
        "customer_identified",
    }
)


class EventLogError(ValueError):
    """An event that cannot be written as given; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewEvent:
    """What a producer wants logged; validated before it reaches the database."""

    interaction_id: str
    type: str
    occurred_at: datetime
    idempotency_key: str
    actor: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in EVENT_TYPES:
            raise EventLogError("type", f"unknown event type {self.type!r}")
        if self.occurred_at.tzinfo is None:
            raise EventLogError("occurred_at", "occurred_at must be timezone-aware")
        if not self.idempotency_key or len(self.idempotency_key) > 200:
            raise EventLogError("idempotency_key", "idempotency_key must be 1-200 characters")


def append(session: Session, event: NewEvent) -> InteractionEvent:
    """Write the event once; the same idempotency key again returns the row already there."""
    record(session, event)
    return session.scalars(
        select(InteractionEvent).where(InteractionEvent.idempotency_key == event.idempotency_key)
    ).one()


def record(session: Session, event: NewEvent) -> None:
    """Write the event once, for callers that do not need the row back (one statement, where
    `append` needs two: hot paths such as every chat message)."""
    values = {
        "interaction_id": event.interaction_id,
        "type": event.type,
        "idempotency_key": event.idempotency_key,
        "occurred_at": event.occurred_at,
        "recorded_at": utcnow(),
        "actor": event.actor,
        "data": event.data,
    }
    # On the table, past the ORM's bulk-insert machinery; the caller's pending rows go first
    # (the event refers to its interaction).
    session.flush()
    session.connection().execute(_insert_once(session.get_bind().dialect.name), values)


@cache
def _insert_once(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING: concurrent retries neither raise nor double-write.
    Built once per dialect and run with parameters (building costs more than running)."""
    return insert_for(dialect)(cast(Table, InteractionEvent.__table__)).on_conflict_do_nothing(
        index_elements=["idempotency_key"]
    )


def for_interaction(session: Session, interaction_id: str) -> Sequence[InteractionEvent]:
    """The interaction's events in the order they happened (ties: order written)."""
    return session.scalars(
        select(InteractionEvent)
        .where(InteractionEvent.interaction_id == interaction_id)
        .order_by(InteractionEvent.occurred_at, InteractionEvent.id)
    ).all()


def in_range(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    types: Sequence[str] | None = None,
    limit: int | None = None,
) -> Sequence[InteractionEvent]:
    """Events that happened in [start, end), optionally of some types only."""
    if end <= start:
        raise EventLogError("end", "end must be after start")
    query = (
        select(InteractionEvent)
        .where(InteractionEvent.occurred_at >= start, InteractionEvent.occurred_at < end)
        .order_by(InteractionEvent.occurred_at, InteractionEvent.id)
    )
    if types:
        query = query.where(InteractionEvent.type.in_(list(types)))
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()
