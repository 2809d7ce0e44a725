"""Random contact histories (tests/event_histories.py, drawn by hypothesis) written through the
real event log, and fresh databases and table snapshots for the roll-up's tests."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.reporting.intervals import TABLES
from contactcentre.store.db import Database
from contactcentre.store.models import Base, Interaction, ReportContact
from tests.event_histories import History, call, contact_history

__all__ = ["History", "call", "fresh_database", "histories", "snapshot", "write"]
T = TypeVar("T")


class Drawn:
    """A hypothesis draw as a Chooser, so the property tests shrink the histories they find."""

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def real(self, low: float, high: float) -> float:
        return self._draw(st.floats(low, high, allow_nan=False))

    def integer(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def pick(self, options: Sequence[T]) -> T:
        return self._draw(st.sampled_from(options))

    def coin(self) -> bool:
        return self._draw(st.booleans())


@st.composite
def histories(draw: st.DrawFn, agents: int = 3, queues: int = 2) -> History:
    return contact_history(Drawn(draw), agents, queues)


def write(
    session: Session, start: datetime, history: History, queue_ids: list[int], upto: int | None
) -> None:
    """Write the history's steps (the first `upto` of them) through the real event log."""
    if session.get(Interaction, history.interaction_id) is None:
        session.add(Interaction(id=history.interaction_id, channel=history.channel))
        session.flush()
    queue_id = queue_ids[history.queue]
    for index, (kind, seconds, data) in enumerate(history.steps[:upto]):
        values = {k: (queue_id if v == "Q" else v) for k, v in data.items()}
        at = start + timedelta(seconds=seconds)
        key = f"{history.interaction_id}:{index}"
        event_log.append(session, NewEvent(history.interaction_id, kind, at, key, data=values))


def fresh_database(template: str, directory: Path) -> Database:
    """An empty migrated database per hypothesis example (the `database` fixture gives one per
    test): a copy of the SQLite template, or the PostgreSQL test database truncated."""
    if "://" in template:
        engine = sa.create_engine(template)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return Database(template)
    path = directory / f"{uuid.uuid4().hex}.sqlite3"
    shutil.copyfile(template, path)
    return Database(f"sqlite:///{path}")


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every reporting table's rows (without surrogate ids), sorted."""
    tables = [ReportContact] + [t.model for t in TABLES]
    found = {}
    with database.session() as session:
        for model in tables:
            columns = [c for c in model.__table__.columns if c.name != "id"]
            rows = session.execute(select(*columns)).all()
            found[model.__tablename__] = sorted((tuple(r) for r in rows), key=repr)
    return found
