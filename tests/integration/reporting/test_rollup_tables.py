"""The interval roll-up on random event logs: the incremental roll-up, a direct computation from
the log and a rebuild from the log agree exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from contactcentre.reporting import ledger, rollup
from contactcentre.reporting.contacts import CONTACT_TYPES, contact_outcomes
from contactcentre.reporting.definitions import queue_service_level
from contactcentre.reporting.rollup import rebuild, roll_up
from contactcentre.store.db import Database
from contactcentre.store.models import Queue, ReportQueueInterval
from routing.metrics import AverageHandleTime, AverageSpeedOfAnswer, Tally, Thresholds
from routing.tally import TALLY_FIELDS
from tests.integration.reporting.event_logs import (
    History,
    fresh_database,
    histories,
    snapshot,
    write,
)

START = datetime(2026, 5, 4, 8, tzinfo=UTC)
QUEUES = ((20, 5), (30, 0))  # (answer target, short-abandon seconds) of the two queues


def _queues(database: Database) -> list[int]:
    with database.session() as session:
        rows = [
            Queue(name=f"Q{i}", sla_target_seconds=t, short_abandon_seconds=s)
            for i, (t, s) in enumerate(QUEUES)
        ]
        session.add_all(rows)
        session.flush()
        return [q.id for q in rows]


def direct_tallies(database: Database, queue_ids: list[int]) -> dict[tuple[Any, ...], Tally]:
    """The queue table computed straight from the log: each contact's tally under its queue's
    thresholds, in the 15 minutes it first queued (else arrived)."""
    rules = {
        str(q): Thresholds(float(t), float(s)) for q, (t, s) in zip(queue_ids, QUEUES, strict=True)
    }
    with database.session() as session:
        events = ledger.read(
            session, START - timedelta(days=1), START + timedelta(days=2), CONTACT_TYPES
        )
    first: dict[str, float] = {}
    for event in events:
        first.setdefault(event.interaction_id, event.at)
    tallies: dict[tuple[Any, ...], Tally] = defaultdict(Tally)
    for o in contact_outcomes(events, every_contact=True):
        at = next(t for t in (o.queued_at, o.arrived_at, first[o.contact_id]) if t is not None)
        start = datetime.fromtimestamp(at - at % 900, UTC)
        queue = None if o.queue_id is None else int(o.queue_id)
        rule = rules.get(o.queue_id or "", Thresholds(20.0, 5.0))
        key = (start, queue, o.channel)
        tallies[key] = tallies[key] + Tally.of(o, rule)
    return dict(tallies)


def rolled_tallies(database: Database) -> dict[tuple[Any, ...], Tally]:
    with database.session() as session:
        rows = session.scalars(select(ReportQueueInterval)).all()
        return {
            (r.interval_start, r.queue_id, r.channel): Tally(
                **{f: getattr(r, f) for f in TALLY_FIELDS}
            )
            for r in rows
        }


def _write_all(
    database: Database, logs: list[History], queue_ids: list[int], cuts: list[int]
) -> None:
    """Write each history in two rounds (its first `cut` steps, then the rest) with a roll-up
    after each round, so contacts are re-projected as their later events arrive."""
    with database.session() as session:
        for history, cut in zip(logs, cuts, strict=False):
            write(session, START, history, queue_ids, cut)
    roll_up(database, batch=7)
    with database.session() as session:
        for history in reversed(logs):
            write(session, START, history, queue_ids, None)
    roll_up(database, batch=11)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(histories(), min_size=1, max_size=20),
    st.lists(st.integers(0, 12), min_size=20, max_size=20),
)
def test_rolled_up_equals_direct_computation_equals_rebuild(
    _migrated_database: str, tmp_path: Path, logs: list[History], cuts: list[int]
) -> None:
    """On a random log written in two rounds: the incremental tables equal the tallies computed
    directly from the log, and a full rebuild leaves every reporting table exactly as it was."""
    database = fresh_database(_migrated_database, tmp_path)
    try:
        queue_ids = _queues(database)
        _write_all(database, logs, queue_ids, cuts)
        rolled = rolled_tallies(database)
        assert rolled == direct_tallies(database, queue_ids)
        before = snapshot(database)
        rebuild(database)
        assert snapshot(database) == before
    finally:
        database.dispose()


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(histories(), min_size=1, max_size=20))
def test_a_ranged_rebuild_equals_the_roll_up(
    _migrated_database: str, tmp_path: Path, logs: list[History]
) -> None:
    """Rebuilding one hour of the log leaves every table as the incremental roll-up left it."""
    database = fresh_database(_migrated_database, tmp_path)
    try:
        queue_ids = _queues(database)
        _write_all(database, logs, queue_ids, [0] * len(logs))
        before = snapshot(database)
        rebuild(database, START + timedelta(minutes=20), START + timedelta(minutes=80))
        assert snapshot(database) == before
    finally:
        database.dispose()


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(histories(), min_size=5, max_size=40))
def test_figures_from_summed_intervals_equal_the_figures_over_the_contacts(
    _migrated_database: str, tmp_path: Path, logs: list[History]
) -> None:
    """Service level, ASA and AHT over a day from the summed queue intervals equal the same
    definitions applied to the day's contacts directly."""
    database = fresh_database(_migrated_database, tmp_path)
    try:
        queue_ids = _queues(database)
        with database.session() as session:
            for history in logs:
                write(session, START, history, queue_ids, None)
        roll_up(database)
        with database.session() as session:
            events = ledger.read(
                session, START - timedelta(hours=1), START + timedelta(days=1), CONTACT_TYPES
            )
        outcomes = [o for o in contact_outcomes(events) if o.queue_id == str(queue_ids[0])]
        rows = [t for (_, q, _), t in rolled_tallies(database).items() if q == queue_ids[0]]
        summed = Tally.total(rows)
        level = queue_service_level(20.0, 5.0)
        assert level.of_tally(summed) == level.compute(outcomes)
        assert AverageSpeedOfAnswer().of_tally(summed) == AverageSpeedOfAnswer().compute(outcomes)
        assert AverageHandleTime().of_tally(summed) == AverageHandleTime().compute(outcomes)
    finally:
        database.dispose()


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(histories())
def test_a_roll_up_with_nothing_new_changes_nothing(
    _migrated_database: str, tmp_path: Path, history: History
) -> None:
    """Rolling up twice in a row: the second reads no events and leaves the tables alone."""
    database = fresh_database(_migrated_database, tmp_path)
    try:
        queue_ids = _queues(database)
        with database.session() as session:
            write(session, START, history, queue_ids, None)
        roll_up(database)
        before = snapshot(database)
        again = roll_up(database)
        assert again.events == 0
        assert snapshot(database) == before
    finally:
        database.dispose()


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(histories(), min_size=2, max_size=20), st.integers(1, 4))
def test_a_rebuild_read_in_small_batches_equals_the_roll_up(
    _migrated_database: str, tmp_path: Path, logs: list[History], size: int
) -> None:
    """The rebuild reads the log a batch of interactions at a time, by ranges of ids: with
    batches of 1-4 interactions, a full and a ranged rebuild still leave every table exactly as
    the incremental roll-up did (no interaction lost or read twice at a batch's edges)."""
    database = fresh_database(_migrated_database, tmp_path)
    try:
        queue_ids = _queues(database)
        _write_all(database, logs, queue_ids, [3] * len(logs))
        before = snapshot(database)
        with patch.object(rollup, "REBUILD_BATCH", size):
            rebuild(database)
            assert snapshot(database) == before
            rebuild(database, START + timedelta(minutes=10), START + timedelta(minutes=70))
            assert snapshot(database) == before
    finally:
        database.dispose()
