"""Random contact histories written as the channels write them (created, queued, accepted,
answered, held, completed, wrap-up, disposition, survey, messages), for the roll-up's tests."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.reporting.intervals import TABLES
from contactcentre.store.db import Database
from contactcentre.store.models import Base, Interaction, ReportContact

Step = tuple[str, float, dict[str, Any]]


@dataclass(frozen=True)
class History:
    """One contact's events: (type, seconds after the log's start, data)."""

    interaction_id: str
    channel: str
    queue: int  # an index into the test's queues
    steps: tuple[Step, ...]


@st.composite
def histories(draw: st.DrawFn, agents: int = 3, queues: int = 2) -> History:
    channel = draw(st.sampled_from(["voice", "chat"]))
    arrived = draw(st.floats(0, 7200, allow_nan=False)).__round__(3)
    ivr = draw(st.sampled_from([0.0, 4.0, 30.0]))
    wait = draw(st.floats(0, 90, allow_nan=False)).__round__(3)
    way = draw(st.sampled_from(["answered", "answered", "abandoned", "callback", "waiting", "ivr"]))
    queue = draw(st.integers(0, queues - 1))
    agent = str(draw(st.integers(1, agents)))
    q = arrived + ivr
    steps: list[Step] = [("created", arrived, {"channel": channel})]
    if way == "ivr":
        steps.append(("completed", arrived + ivr + 1, {}))
        return History(str(uuid.uuid4()), channel, queue, tuple(steps))
    steps.append(("queued", q, {"queue_id": "Q"}))
    if channel == "chat":
        steps.append(("message_in", q, {"by": "customer"}))
    if way == "abandoned":
        steps.append(("canceled", q + wait, {}))
    elif way == "callback":
        steps.append(("exited", q + wait, {"exit": "callback"}))
    elif way == "answered":
        steps.extend(_handled(draw, channel, q + wait, agent))
    return History(str(uuid.uuid4()), channel, queue, tuple(steps))


def _handled(draw: st.DrawFn, channel: str, at: float, agent: str) -> list[Step]:
    talk = draw(st.floats(5, 600, allow_nan=False)).__round__(3)
    steps: list[Step] = [("accepted", at, {"agent_id": agent})]
    connected = at + (3.0 if channel == "voice" else 0.0)
    if channel == "voice":
        steps.append(("answered", connected, {"agent_id": agent}))
    else:
        steps.append(("message_out", at + draw(st.sampled_from([1.0, 12.5])), {"by": "agent"}))
    if draw(st.booleans()):
        steps.append(("held", connected + 2, {"role": "customer"}))
        steps.append(("unheld", connected + 4, {"role": "customer"}))
    end = connected + talk
    if draw(st.booleans()):
        steps.append(("transferred", end, {}))
        steps.append(("accepted", end + 1, {"agent_id": agent}))
        end += 30
    steps.append(("completed", end, {}))
    steps.append(("wrap_up", end, {"agent_id": agent, "ends_at": end + 20}))
    if draw(st.booleans()):
        resolved = draw(st.booleans())
        steps.append(
            ("disposition", end + 8, {"code": "done", "agent_id": agent, "resolved": resolved})
        )
    score = draw(st.one_of(st.none(), st.integers(1, 5)))
    if score is not None:
        steps.append(("survey", end + 30, {"score": score, "scale": 5}))
    return steps


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


def call(index: int) -> History:
    """A plain call, deterministic by index: most answered after a short wait, some abandoned."""
    arrived = float(index * 7 % 7200)
    wait = float(index % 45)
    steps: list[Step] = [
        ("created", arrived, {"channel": "voice"}),
        ("queued", arrived + 5, {"queue_id": "Q"}),
    ]
    if index % 5 == 0:
        steps.append(("canceled", arrived + 5 + wait, {}))
    else:
        agent = str(index % 3 + 1)
        at = arrived + 5 + wait
        steps += [
            ("accepted", at, {"agent_id": agent}),
            ("answered", at + 3, {"agent_id": agent}),
            ("completed", at + 120 + index % 200, {}),
            ("disposition", at + 140 + index % 200, {"code": "done", "agent_id": agent}),
        ]
    return History(str(uuid.UUID(int=index + 1)), "voice", index % 2, tuple(steps))


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
