"""The interaction event log as reporting reads it: a period's events of some types, in order,
each with its interaction's channel, as plain records the projections take."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import DateTime, Row, Select, Text, cast, select, type_coerce
from sqlalchemy.orm import Session

from contactcentre.store.models import Interaction, InteractionEvent


class LoggedEvent(NamedTuple):
    """One interaction_events row: what happened to which contact, when (epoch seconds).

    A tuple, not a dataclass: a rebuild makes one per event of the whole log."""

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


def histories_between(
    session: Session, first: str, last: str, types: Iterable[str]
) -> list[LoggedEvent]:
    """Every event of `types` of the interactions with ids from `first` to `last` (inclusive,
    in the database's own order of ids, as a sorted id query gave them), each interaction's in
    the order they happened: one range scan of the (interaction_id, occurred_at) index, for
    reading the whole log a few thousand interactions at a time.

    Read through Core with the time as the driver gives it (UTC; naive on SQLite): a rebuild
    reads every event, and the ORM's rows and the aware-UTC conversion were a third of it."""
    occurred = type_coerce(InteractionEvent.occurred_at, DateTime(timezone=True))
    # The data as its JSON text, parsed once per distinct text: most events' data repeat
    # ({"queue_id": 3}, {"agent_id": 12}, {}), so most events cost a dict look-up. The parsed
    # values are shared between events, which only read them (LoggedEvent.data is a Mapping).
    parsed: dict[str, Any] = {}
    query = (
        select(
            InteractionEvent.interaction_id,
            Interaction.channel,
            InteractionEvent.type,
            occurred,
            cast(InteractionEvent.data, Text),
            Interaction.customer_id,
            InteractionEvent.id,
        )
        .join(Interaction, Interaction.id == InteractionEvent.interaction_id)
        .where(
            InteractionEvent.interaction_id >= first,
            InteractionEvent.interaction_id <= last,
            InteractionEvent.type.in_(list(types)),
        )
        .order_by(InteractionEvent.interaction_id, occurred, InteractionEvent.id)
    )
    return [
        LoggedEvent(
            interaction_id,
            channel,
            kind,
            (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).timestamp(),
            parsed[text] if text in parsed else parsed.setdefault(text, _data(text)),
            None if customer_id is None else str(customer_id),
            event_id,
        )
        for interaction_id, channel, kind, at, text, customer_id, event_id in (
            session.connection().execute(query).all()
        )
    ]


def _data(text: str | None) -> Any:
    return {} if text is None else json.loads(text)


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
