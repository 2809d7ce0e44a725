"""Opening an interaction: the one way any channel creates the row and its `created` event.

Idempotent by (channel, external_id), and by the id when the caller chooses it, even when two
transactions race: the loser gets the row the winner wrote, and no second event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.store.db import insert_for
from contactcentre.store.models import Interaction
from contactcentre.store.models.interactions import CHANNELS
from contactcentre.store.types import utcnow

DIRECTIONS = ("inbound", "outbound")


class OpeningError(ValueError):
    """An interaction that cannot be opened as asked; `field` names the offending argument."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Opened:
    """The interaction, and whether this call created it (False: it was there already)."""

    interaction: Interaction
    created: bool


def open_interaction(
    session: Session,
    *,
    channel: str,
    at: datetime,
    actor: str,
    external_id: str | None = None,
    interaction_id: str | None = None,
    direction: str = "inbound",
    status: str = "created",
    customer_id: int | None = None,
    agent_id: int | None = None,
    from_address: str | None = None,
    to_address: str | None = None,
    subject: str | None = None,
    intent: str | None = None,
    attributes: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> Opened:
    """Create the interaction and log it `created` at `at`, in the caller's transaction.

    The same (channel, external_id), or the same `interaction_id`, again returns the existing
    row untouched with `created` False. `details` join the event's data: ids and flags only,
    never personal data (the event log outlives erasure).
    """
    if channel not in CHANNELS:
        raise OpeningError("channel", f"channel must be one of {', '.join(CHANNELS)}")
    if direction not in DIRECTIONS:
        raise OpeningError("direction", f"direction must be one of {', '.join(DIRECTIONS)}")
    if external_id == "":
        raise OpeningError("external_id", "external_id must be None or non-empty")
    attributes = dict(attributes or {})
    if intent is None and isinstance(attributes.get("intent"), str):
        intent = attributes["intent"]
    ident = interaction_id or str(uuid.uuid4())
    values = {
        "id": ident,
        "channel": channel,
        "direction": direction,
        "status": status,
        "external_id": external_id,
        "customer_id": customer_id,
        "agent_id": agent_id,
        "from_address": from_address,
        "to_address": to_address,
        "subject": subject,
        "intent": intent,
        "attributes": attributes,
        "created_at": utcnow(),
    }
    # One statement that either inserts or does nothing, never raises on a duplicate: racing
    # writers wait on the unique index (PostgreSQL) or the writer lock (SQLite) and the loser
    # reads the winner's row. A SAVEPOINT around a plain INSERT would not do on SQLite: there,
    # pysqlite leaves the first SAVEPOINT of a transaction to start it, and its RELEASE commits.
    session.flush()
    statement = _insert_once(session.get_bind().dialect.name)
    if session.connection().execute(statement, values).scalar_one_or_none() is not None:
        interaction = session.get(Interaction, ident)
        assert interaction is not None
        event_log.record(
            session,
            NewEvent(
                ident,
                "created",
                at,
                f"{ident}:created",
                actor=actor,
                data={**(details or {}), "channel": channel, "direction": direction},
            ),
        )
        return Opened(interaction, True)
    return Opened(_existing(session, channel, external_id, ident), False)


def _existing(session: Session, channel: str, external_id: str | None, ident: str) -> Interaction:
    """The row the insert collided with: the one with this channel and external id, else the
    one with this id."""
    found = None
    if external_id is not None:
        found = session.scalars(
            select(Interaction).where(
                Interaction.channel == channel, Interaction.external_id == external_id
            )
        ).one_or_none()
    if found is None:
        found = session.get(Interaction, ident)
    if found is None:  # the row it collided with was deleted since
        raise OpeningError("interaction_id", f"interaction {ident} was neither written nor found")
    return found


@cache
def _insert_once(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING over every unique key of interactions (the id, and
    channel with external_id) RETURNING the id: a row back means this statement wrote it
    (psycopg reports its rowcount as -1). Built once per dialect."""
    table = cast(Table, Interaction.__table__)
    return insert_for(dialect)(table).on_conflict_do_nothing().returning(table.c.id)
