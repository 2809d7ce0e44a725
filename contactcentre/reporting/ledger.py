"""The interaction event log as reporting reads it: a period's events of some types, in order,
each with its interaction's channel, as plain records the projections take."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from contactcentre.store.models import Interaction, InteractionEvent


@dataclass(frozen=True)
class LoggedEvent:
    """One interaction_events row: what happened to which contact, when (epoch seconds)."""

    interaction_id: str
    channel: str
    type: str
    at: float
    data: Mapping[str, Any]
    customer_id: str | None = None  # the interaction's customer (a dimension, not an event)
    id: int = 0  # the row's id: the roll-up's watermark


def _columns() -> Select[Any]:
    return select(
        InteractionEvent.interaction_id,
        Interaction.channel,
        InteractionEvent.type,
        InteractionEvent.occurred_at,
        InteractionEvent.data,
        Interaction.customer_id,
        InteractionEvent.id,
    ).join(Interaction, Interaction.id == InteractionEvent.interaction_id)


def read(
    session: Session, start: datetime, end: datetime, types: Iterable[str]
) -> list[LoggedEvent]:
    """Events of `types` that happened in [start, end), in the order they happened."""
    rows = session.execute(
        _columns()
        .where(
            InteractionEvent.occurred_at >= start,
            InteractionEvent.occurred_at < end,
            InteractionEvent.type.in_(list(types)),
        )
        .order_by(InteractionEvent.occurred_at, InteractionEvent.id)
    ).all()
    return _logged(rows)


def history(
    session: Session, interaction_ids: Collection[str], types: Iterable[str]
) -> list[LoggedEvent]:
    """Every event of `types` of these interactions, whenever it happened, in order."""
    if not interaction_ids:
        return []
    rows = session.execute(
        _columns()
        .where(
            InteractionEvent.interaction_id.in_(list(interaction_ids)),
            InteractionEvent.type.in_(list(types)),
        )
        .order_by(InteractionEvent.occurred_at, InteractionEvent.id)
    ).all()
    return _logged(rows)


def _logged(rows: Sequence[Row[Any]]) -> list[LoggedEvent]:
    return [
        LoggedEvent(
            row.interaction_id,
            row.channel,
            row.type,
            row.occurred_at.timestamp(),
            row.data,
            None if row.customer_id is None else str(row.customer_id),
            row.id,
        )
        for row in rows
    ]
