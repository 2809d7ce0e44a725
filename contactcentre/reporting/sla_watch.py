"""The SLA watch: keeps every contact's SLA clocks (sla_clocks) in step with interaction_events
and the policies, flags breaches as their due times pass, and queues the supervisors' alerts.

Each run reads the events after its watermark, re-times the touched contacts from their whole
history (routing.sla.clocks), breaches the running clocks whose due time passed, and writes the
alerts owed, all in one transaction with the watermark: killed half-way, nothing of it is kept
and the next run does it again. Alerts are then sent once each (sla_alerts). A rebuild
recomputes every clock from the log alone.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import and_, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session

from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.reporting import ledger, sla_alerts, sla_policies
from contactcentre.store.db import Database, insert_for
from contactcentre.store.models import InteractionEvent, SlaAlert, SlaClockRow, SlaWatermark
from routing.sla import LEFT, Event, SlaPolicy, clocks, contact_key

WATERMARK = "sla"
BATCH_EVENTS = 20_000
GAP_GRACE_SECONDS = 300.0  # an id handed out but not committed is looked for this long
MAX_GAPS = 100_000
CHUNK = 500
# A breach first seen this long after it happened (a rebuild, a watch down for hours) is
# recorded but not alerted: supervisors are told live, not about last week.
LIVE_SECONDS = 3600.0
TYPES = LEFT | {"created", "queued", "accepted", "message_in", "message_out", "completed"}


@dataclass(frozen=True)
class WatchResult:
    """What one run did, and the next instant a running clock warns or falls due (the schedule
    books a run then)."""

    events: int
    contacts: int
    alerts: int
    sent: int
    next_due: float | None


def _moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _queue(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def refresh(
    session: Session, interaction_ids: Collection[str], policies: tuple[SlaPolicy, ...], now: float
) -> int:
    """Re-time these contacts' clocks from their whole history; returns the clocks written."""
    written = 0
    ordered = sorted(interaction_ids)
    for index in range(0, len(ordered), CHUNK):
        chunk = ordered[index : index + CHUNK]
        events: dict[str, list[Event]] = defaultdict(list)
        channels: dict[str, str] = {}
        for e in ledger.history(session, chunk, TYPES):
            events[e.interaction_id].append(Event(e.type, e.at, e.data))
            channels[e.interaction_id] = e.channel
        rows = []
        for interaction_id, history in events.items():
            queue_id, priority = contact_key(history)
            for clock in clocks(history, channels[interaction_id], policies, now):
                rows.append({
                    "interaction_id": interaction_id, "target": clock.target,
                    "policy_id": clock.policy_id, "channel": channels[interaction_id],
                    "queue_id": _queue(queue_id), "priority": priority,
                    "started_at": _moment(clock.started_at), "warn_at": _moment(clock.warn_at),
                    "due_at": _moment(clock.due_at), "stopped_at": _moment(clock.stopped_at),
                    "breached_at": _moment(clock.breached_at), "status": clock.status,
                })  # fmt: skip
        session.execute(delete(SlaClockRow).where(SlaClockRow.interaction_id.in_(chunk)))
        if rows:
            session.execute(insert(SlaClockRow), rows)
        written += len(rows)
    return written


def _lock(session: Session) -> SlaWatermark:
    """The watermark row, locked: a write first (SQLite's writer lock), then FOR UPDATE, so two
    watches run one after the other."""
    session.execute(
        insert_for(session.get_bind().dialect.name)(SlaWatermark.__table__)
        .values(name=WATERMARK, last_event_id=0, gaps={}, policies="")
        .on_conflict_do_nothing(index_elements=["name"])
    )
    session.execute(
        update(SlaWatermark).where(SlaWatermark.name == WATERMARK).values(name=WATERMARK)
    )
    mark = session.scalars(
        select(SlaWatermark).where(SlaWatermark.name == WATERMARK).with_for_update()
    ).one()
    session.refresh(mark)
    return mark


def _new_events(session: Session, mark: SlaWatermark, now: float) -> tuple[set[str], int]:
    """Contacts with events after the watermark (and late ones among its gaps); moves it."""
    last = mark.last_event_id
    log_end = session.scalar(select(func.max(InteractionEvent.id))) or 0
    upper = min(last + BATCH_EVENTS, max(log_end, last))
    rows = session.execute(
        select(InteractionEvent.id, InteractionEvent.interaction_id).where(
            InteractionEvent.id > last, InteractionEvent.id <= upper
        )
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
    for found in late:
        gaps.pop(found.id, None)
    gaps = {k: v for k, v in gaps.items() if now - v < GAP_GRACE_SECONDS}
    seen = {r.id for r in rows}
    for missing in range(last + 1, upper + 1):
        if missing not in seen and len(gaps) < MAX_GAPS:
            gaps[missing] = now
    mark.last_event_id = upper
    mark.gaps = {str(k): v for k, v in sorted(gaps.items())}
    return {r.interaction_id for r in rows} | {r.interaction_id for r in late}, len(rows) + len(
        late
    )


def _breach_due(session: Session, now: datetime) -> None:
    """Running clocks whose due time has passed are breached, at their due time."""
    session.execute(
        update(SlaClockRow)
        .where(SlaClockRow.status == "running", SlaClockRow.due_at <= now)
        .values(status="breached", breached_at=SlaClockRow.due_at)
    )


def _queue_alerts(session: Session, now: datetime) -> int:
    """Write the alerts owed and not written yet: a warning for each running clock past its
    warning time, a breach for each clock breached within LIVE_SECONDS."""
    owed: list[dict[str, Any]] = []
    for level, condition in (
        ("warning", and_(SlaClockRow.status == "running", SlaClockRow.warn_at <= now)),
        (
            "breach",
            and_(
                SlaClockRow.status == "breached",
                SlaClockRow.breached_at >= now - timedelta(seconds=LIVE_SECONDS),
            ),
        ),
    ):
        already = exists().where(
            SlaAlert.interaction_id == SlaClockRow.interaction_id,
            SlaAlert.target == SlaClockRow.target,
            SlaAlert.level == level,
        )
        for clock in session.scalars(select(SlaClockRow).where(condition, ~already)):
            owed.append({
                "interaction_id": clock.interaction_id, "target": clock.target, "level": level,
                "policy_id": clock.policy_id, "queue_id": clock.queue_id,
                "channel": clock.channel, "due_at": clock.due_at, "created_at": now,
            })  # fmt: skip
    if owed:
        statement = insert_for(session.get_bind().dialect.name)(SlaAlert.__table__)
        session.execute(
            statement.on_conflict_do_nothing(index_elements=["interaction_id", "target", "level"]),
            owed,
        )
    return len(owed)


def _next_due(session: Session, now: datetime) -> float | None:
    warn = session.scalar(
        select(func.min(SlaClockRow.warn_at)).where(
            SlaClockRow.status == "running", SlaClockRow.warn_at > now
        )
    )
    due = session.scalar(
        select(func.min(SlaClockRow.due_at)).where(SlaClockRow.status == "running")
    )
    found = [m.timestamp() for m in (warn, due) if m is not None]
    return min(found) if found else None


def watch(
    database: Database,
    client: redis.Redis | None = None,
    emitter: RealtimeEmitter | None = None,
    now: float | None = None,
) -> WatchResult:
    """One run of the watch; alerts are sent when a Redis client and emitter are given."""
    moment = time.time() if now is None else now
    when = datetime.fromtimestamp(moment, UTC)
    with database.session() as session:
        mark = _lock(session)
        policies = sla_policies.load(session)
        touched, events = _new_events(session, mark, moment)
        if mark.policies != policies.fingerprint:
            # A policy or calendar changed: the clocks still running are re-timed under it.
            running = select(SlaClockRow.interaction_id).where(SlaClockRow.status == "running")
            touched |= set(session.scalars(running))
            mark.policies = policies.fingerprint
        contacts = refresh(session, touched, policies.policies, moment) if touched else 0
        _breach_due(session, when)
        alerts = _queue_alerts(session, when)
        mark.watched_at = when
        next_due = _next_due(session, when)
    sent = 0
    if client is not None and emitter is not None:
        sent = sla_alerts.send_pending(database, client, emitter)
    return WatchResult(events, contacts, alerts, sent, next_due)


def rebuild(database: Database, now: float | None = None) -> int:
    """Every clock again from the event log and the policies alone (alerts already sent stay
    as they are); returns the clocks written. One transaction."""
    moment = time.time() if now is None else now
    with database.session() as session:
        mark = _lock(session)
        policies = sla_policies.load(session)
        mark.last_event_id = session.scalar(select(func.max(InteractionEvent.id))) or 0
        mark.gaps, mark.policies = {}, policies.fingerprint
        session.execute(delete(SlaClockRow))
        written = 0
        for chunk in _chunks(session):
            written += refresh(session, chunk, policies.policies, moment)
        mark.watched_at = datetime.fromtimestamp(moment, UTC)
    return written


def _chunks(session: Session) -> Iterator[list[str]]:
    ids = list(
        session.scalars(
            select(InteractionEvent.interaction_id)
            .distinct()
            .order_by(InteractionEvent.interaction_id)
        )
    )
    for index in range(0, len(ids), CHUNK):
        yield ids[index : index + CHUNK]
