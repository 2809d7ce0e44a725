"""The interaction event log: idempotent appends, append-only storage, time-range queries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import EventLogError, NewEvent
from contactcentre.store.db import Database
from contactcentre.store.models import Interaction, InteractionEvent

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _interaction(db: Database) -> str:
    ident = str(uuid.uuid4())
    with db.session() as session:
        session.add(Interaction(id=ident, channel="voice", external_id="CA" + ident[:8]))
    return ident


def test_same_key_twice_is_one_row(database: Database) -> None:
    """Appending the same idempotency key twice stores one event and returns it both times."""
    ident = _interaction(database)
    event = NewEvent(ident, "queued", T0, f"{ident}:queued", data={"queue_id": 1})
    with database.session() as session:
        first = event_log.append(session, event).id
    with database.session() as session:
        second = event_log.append(session, event).id
        count = session.scalar(sa.select(sa.func.count(InteractionEvent.id)))
    assert first == second
    assert count == 1


def test_events_cannot_be_updated_or_deleted(database: Database) -> None:
    """The database itself refuses UPDATE and DELETE on interaction_events."""
    ident = _interaction(database)
    with database.session() as session:
        event_log.append(session, NewEvent(ident, "created", T0, f"{ident}:created"))
    for statement in ("UPDATE interaction_events SET type = 'x'", "DELETE FROM interaction_events"):
        with pytest.raises(DBAPIError, match="append-only"), database.session() as session:
            session.execute(sa.text(statement))


def test_query_by_interaction_in_occurrence_order(database: Database) -> None:
    """Events come back in the order they happened, not the order they were written."""
    ident = _interaction(database)
    with database.session() as session:
        for minutes, kind in ((2, "answered"), (0, "created"), (1, "queued")):
            event_log.append(
                session, NewEvent(ident, kind, T0 + timedelta(minutes=minutes), f"{ident}:{kind}")
            )
    with database.session() as session:
        kinds = [e.type for e in event_log.for_interaction(session, ident)]
    assert kinds == ["created", "queued", "answered"]


def test_query_by_time_range_and_type(database: Database) -> None:
    """A range query returns events in [start, end), optionally filtered by type."""
    a, b = _interaction(database), _interaction(database)
    with database.session() as session:
        event_log.append(session, NewEvent(a, "queued", T0, "a:q"))
        event_log.append(session, NewEvent(b, "queued", T0 + timedelta(hours=1), "b:q"))
        event_log.append(
            session, NewEvent(b, "abandoned", T0 + timedelta(hours=1, seconds=30), "b:a")
        )
    with database.session() as session:
        in_hour = event_log.in_range(session, T0, T0 + timedelta(hours=1))
        abandons = event_log.in_range(session, T0, T0 + timedelta(days=1), types=["abandoned"])
    assert [e.idempotency_key for e in in_hour] == ["a:q"]
    assert [e.idempotency_key for e in abandons] == ["b:a"]


def test_times_survive_round_trip_as_utc(database: Database) -> None:
    """occurred_at comes back timezone-aware and equal, whatever zone it was given in."""
    from zoneinfo import ZoneInfo

    ident = _interaction(database)
    local = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    with database.session() as session:
        event_log.append(session, NewEvent(ident, "created", local, "tz"))
    with database.session() as session:
        (event,) = event_log.for_interaction(session, ident)
    assert event.occurred_at == local
    assert event.occurred_at.tzinfo is not None


def test_bad_events_are_refused_before_storage() -> None:
    """Unknown types, naive times and empty keys are refused naming the field."""
    with pytest.raises(EventLogError) as exc:
        NewEvent("x", "teleported", T0, "k")
    assert exc.value.field == "type"
    with pytest.raises(EventLogError) as exc:
        NewEvent("x", "queued", datetime(2026, 1, 1), "k")
    assert exc.value.field == "occurred_at"
    with pytest.raises(EventLogError) as exc:
        NewEvent("x", "queued", T0, "")
    assert exc.value.field == "idempotency_key"
