"""The board's queue numbers for a period: the rolled-up interval rows, corrected by the contacts
the roll-up has not read yet (events past its watermark, or in its gaps), projected here by the
roll-up's own projection.

For such a contact its stored report_contacts row (already inside the interval sums, or none)
is taken out and its fresh row put in, so the figure is what the report will show once the
roll-up has run: exactly, and at the cost of the few contacts of the last seconds, not of the
whole day. Everything is read in one snapshot on PostgreSQL (REPEATABLE READ), so a roll-up
committing meanwhile cannot count a contact twice or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.reporting.contact_rows import project, queue_thresholds
from contactcentre.reporting.rollup import WATERMARK
from contactcentre.reporting.sums import summed
from contactcentre.store.models import InteractionEvent
from contactcentre.store.models.reporting import (
    ReportContact,
    ReportQueueInterval,
    ReportWatermark,
)
from routing.metrics import Tally
from routing.tally import TALLY_FIELDS

CHUNK = 500  # ids per IN list


def queue_tallies(session: Session, start: datetime, end: datetime) -> dict[int, Tally]:
    """Each queue's tally of the contacts counted in [start, end), as the service-level report
    will have it once the roll-up has read the whole log."""
    with _snapshot(session) as snapshot:
        return _tallies(snapshot, start, end)


@contextmanager
def _snapshot(session: Session) -> Iterator[Session]:
    engine = session.get_bind().engine
    if engine.dialect.name != "postgresql":
        # SQLite: one writer at a time, and the roll-up is one transaction per batch; a batch
        # committing between two of these reads can skew one refresh of the board.
        yield session
        return
    with (
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
        Session(bind=connection) as snapshot,
    ):
        try:
            yield snapshot
        finally:
            snapshot.rollback()


def _tallies(session: Session, start: datetime, end: datetime) -> dict[int, Tally]:
    # Counted as plain integers: a stored row is taken out before the fresh one is put in.
    by_queue: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TALLY_FIELDS, 0))
    within = [ReportQueueInterval.interval_start >= start, ReportQueueInterval.interval_start < end]
    for (queue_id,), tally in summed(
        session, ReportQueueInterval, [ReportQueueInterval.queue_id], within
    ):
        if queue_id is not None:
            by_queue[queue_id] = tally.to_dict()
    pending = _unread(session)
    thresholds = queue_thresholds(session) if pending else {}
    for index in range(0, len(pending), CHUNK):
        chunk = pending[index : index + CHUNK]
        stored = session.scalars(
            select(ReportContact).where(
                ReportContact.interaction_id.in_(chunk),
                ReportContact.interval_start >= start,
                ReportContact.interval_start < end,
                ReportContact.queue_id.is_not(None),
            )
        )
        for row in stored:
            if row.queue_id is None:  # not selected; the check is for the type
                continue
            counts = by_queue[row.queue_id]
            for f in TALLY_FIELDS:
                counts[f] -= getattr(row, f)
        for fresh in project(session, chunk, thresholds).values():
            if fresh["queue_id"] is not None and start <= fresh["interval_start"] < end:
                counts = by_queue[fresh["queue_id"]]
                for f in TALLY_FIELDS:
                    counts[f] += fresh[f]
    return {queue_id: Tally(**counts) for queue_id, counts in by_queue.items()}


def _unread(session: Session) -> list[str]:
    """The interactions with an event the roll-up has not read: past its watermark, or one of
    the ids it is still waiting for (its gaps)."""
    mark = session.get(ReportWatermark, WATERMARK)
    last = mark.last_event_id if mark is not None else 0
    gaps = sorted(int(k) for k in (mark.gaps or {})) if mark is not None else []
    who = select(InteractionEvent.interaction_id).distinct()
    found = set(session.scalars(who.where(InteractionEvent.id > last)))
    for index in range(0, len(gaps), CHUNK):
        found.update(
            session.scalars(who.where(InteractionEvent.id.in_(gaps[index : index + CHUNK])))
        )
    return sorted(found)
