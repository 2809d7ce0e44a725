"""The incremental roll-up and the rebuild of reporting's tables from interaction_events.

Both re-project whole interactions and re-sum whole intervals, so they agree exactly. Each
roll-up batch is one transaction that also moves the watermark: killed half-way, nothing of it
is kept and the next run does the batch again.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select, text, update
from sqlalchemy.orm import Session

from contactcentre.reporting import intervals, ledger
from contactcentre.reporting.bulk import write_rows
from contactcentre.reporting.contact_rows import (
    interval_start,
    project,
    project_events,
    queue_thresholds,
)
from contactcentre.reporting.contacts import CONTACT_TYPES
from contactcentre.store.db import Database, insert_for
from contactcentre.store.models import InteractionEvent
from contactcentre.store.models.reporting import INTERVAL_SECONDS, ReportContact, ReportWatermark

WATERMARK = "intervals"
BATCH_EVENTS = 20_000
# An event id PostgreSQL handed out but whose transaction has not committed is looked for again
# this long; after it, the id is taken as rolled back (or burnt by ON CONFLICT DO NOTHING).
GAP_GRACE_SECONDS = 300.0
MAX_GAPS = 100_000
CHUNK = 500  # ids per IN list (bound parameters stay few)
REBUILD_BATCH = 5_000  # interactions read, projected and written at a time by a rebuild


@dataclass(frozen=True)
class RollupResult:
    """What one roll-up did: events read, contacts re-projected, where it stopped, and how far
    behind the log the oldest event it read was when its batch committed."""

    events: int
    contacts: int
    last_event_id: int
    lag_seconds: float | None
    batches: int
    caught_up: bool = True


def roll_up(
    database: Database, *, batch: int = BATCH_EVENTS, max_batches: int = 1000
) -> RollupResult:
    """Bring the interval tables up to the log's end, one batch (transaction) at a time."""
    events = contacts = batches = 0
    lag: float | None = None
    last, caught_up = 0, False
    while batches < max_batches and not caught_up:
        with database.session() as session:
            found = _roll_batch(session, batch)
        batches += 1
        events, contacts, last = (
            events + found.events,
            contacts + found.contacts,
            found.last_event_id,
        )
        if found.lag_seconds is not None:
            lag = max(lag or 0.0, found.lag_seconds)
        caught_up = found.caught_up
    return RollupResult(events, contacts, last, lag, batches, caught_up)


def _lock_watermark(session: Session) -> ReportWatermark:
    """The watermark row, locked for this transaction: a write first, so on SQLite the writer
    lock is taken before anything is read, and on PostgreSQL the row lock queues a second
    roll-up until this one commits."""
    dialect = session.get_bind().dialect.name
    session.execute(
        insert_for(dialect)(ReportWatermark.__table__)
        .values(name=WATERMARK, last_event_id=0, gaps={})
        .on_conflict_do_nothing(index_elements=["name"])
    )
    session.execute(
        update(ReportWatermark).where(ReportWatermark.name == WATERMARK).values(name=WATERMARK)
    )
    mark = session.scalars(
        select(ReportWatermark).where(ReportWatermark.name == WATERMARK).with_for_update()
    ).one()
    session.refresh(mark)
    return mark


def _roll_batch(session: Session, batch: int) -> RollupResult:
    mark = _lock_watermark(session)
    now = time.time()
    last = mark.last_event_id
    # Ids are read by range, not by count: ids burnt by ON CONFLICT DO NOTHING or rolled back
    # leave holes, and a batch of holes is not the end of the log.
    log_end = session.scalar(select(func.max(InteractionEvent.id))) or 0
    upper = min(last + batch, max(log_end, last))
    rows = session.execute(
        select(InteractionEvent.id, InteractionEvent.interaction_id, InteractionEvent.recorded_at)
        .where(InteractionEvent.id > last, InteractionEvent.id <= upper)
        .order_by(InteractionEvent.id)
    ).all()
    gaps = {int(k): float(v) for k, v in (mark.gaps or {}).items()}
    late = (
        session.execute(
            select(InteractionEvent.id, InteractionEvent.interaction_id).where(
                InteractionEvent.id.in_(list(gaps))
            )
        ).all()
        if gaps
        else []
    )
    affected = {r.interaction_id for r in rows} | {r.interaction_id for r in late}
    contacts = refresh_contacts(session, affected)
    new_last = upper
    seen = {r.id for r in rows}
    for found in late:
        gaps.pop(found.id, None)
    gaps = {k: v for k, v in gaps.items() if now - v < GAP_GRACE_SECONDS}
    for missing in range(last + 1, new_last + 1):
        if missing not in seen and len(gaps) < MAX_GAPS:
            gaps[missing] = now
    mark.last_event_id = new_last
    mark.gaps = {str(k): v for k, v in sorted(gaps.items())}
    mark.rolled_at = datetime.fromtimestamp(now, UTC)
    oldest = min((r.recorded_at for r in rows), default=None)
    lag = None if oldest is None else max(0.0, now - oldest.timestamp())
    return RollupResult(len(rows) + len(late), contacts, new_last, lag, 1, upper >= log_end)


def refresh_contacts(session: Session, interaction_ids: Collection[str]) -> int:
    """Re-project these interactions' rows and re-sum every interval they were or are in."""
    if not interaction_ids:
        return 0
    thresholds = queue_thresholds(session)
    touched: set[datetime] = set()
    written = 0
    for chunk in _chunks(sorted(interaction_ids)):
        touched.update(
            session.scalars(
                select(ReportContact.interval_start).where(ReportContact.interaction_id.in_(chunk))
            )
        )
        projected = project(session, chunk, thresholds)
        session.execute(delete(ReportContact).where(ReportContact.interaction_id.in_(chunk)))
        write_rows(session, ReportContact.__table__, list(projected.values()))
        touched.update(row["interval_start"] for row in projected.values())
        written += len(projected)
    intervals.resum(session, touched)
    return written


def rebuild(database: Database, start: datetime | None = None, end: datetime | None = None) -> int:
    """Rebuild reporting's tables for contacts counted in [start, end) (everything when both
    are None) from the event log alone; returns the contacts written. One transaction, so a
    rebuild killed half-way leaves the tables as they were. The range is widened to whole
    15-minute intervals.

    Set-based: the log is read a few thousand interactions at a time by one range scan of
    the (interaction_id, occurred_at) index, projected by the roll-up's own projection, and
    written by COPY (PostgreSQL) or one executemany; the interval tables are then summed in SQL.
    """
    start = None if start is None else interval_start(start.timestamp())
    if end is not None:
        end_start = interval_start(end.timestamp())
        end = end_start if end_start == end else end_start + timedelta(seconds=INTERVAL_SECONDS)
    everything = start is None and end is None
    with database.session() as session:
        mark = _lock_watermark(session)
        if everything:
            # Everything is re-read: the watermark starts after the log's last event.
            mark.last_event_id = session.scalar(select(func.max(InteractionEvent.id))) or 0
            mark.gaps = {}
        thresholds = queue_thresholds(session)
        session.execute(delete(ReportContact).where(_counted_in(start, end)))
        written = 0
        # In the database's order of ids, which the range reads below rely on.
        touching = list(session.scalars(_touching(start, end)))
        for batch in _chunks(touching, REBUILD_BATCH):
            events = ledger.histories_between(session, batch[0], batch[-1], CONTACT_TYPES)
            if not everything:
                wanted = set(batch)
                events = [e for e in events if e.interaction_id in wanted]
            rows = [
                row
                for row in project_events(events, thresholds).values()
                if _within(row["interval_start"], start, end)
            ]
            if not everything:
                # Only the rows counted in the range are replaced; a contact counted outside
                # it keeps the row it has.
                for ids in _chunks([row["interaction_id"] for row in rows]):
                    session.execute(
                        delete(ReportContact).where(ReportContact.interaction_id.in_(ids))
                    )
            write_rows(session, ReportContact.__table__, rows)
            written += len(rows)
        if session.get_bind().dialect.name == "postgresql":
            # The table's statistics still describe the rows just deleted: without fresh ones
            # the planner sums the intervals through the index, row by random row (2x slower).
            session.execute(text("ANALYZE report_contacts"))
        intervals.resum_range(session, start, end)
        mark.rolled_at = datetime.now(UTC)
    return written


def _touching(start: datetime | None, end: datetime | None) -> Select[Any]:
    """The interactions with an event in [start, end): every contact counted there has one
    (it is counted at one of its own events' times)."""
    query = select(InteractionEvent.interaction_id).distinct()
    if start is not None:
        query = query.where(InteractionEvent.occurred_at >= start)
    if end is not None:
        query = query.where(InteractionEvent.occurred_at < end)
    return query.order_by(InteractionEvent.interaction_id)


def _counted_in(start: datetime | None, end: datetime | None) -> Any:
    condition: Any = ReportContact.interval_start.is_not(None)
    if start is not None:
        condition = condition & (ReportContact.interval_start >= start)
    if end is not None:
        condition = condition & (ReportContact.interval_start < end)
    return condition


def _within(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment < end)


def _chunks(ids: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for index in range(0, len(ids), size):
        yield ids[index : index + size]
