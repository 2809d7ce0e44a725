"""SLA alerts to supervisors, each sent once: written to SQL first (sla_alerts, unique per
contact, target and level), then sent on the supervisors' board room with a Redis marker set in
the same MULTI/EXEC as the event, then marked sent in SQL.

Killed before the send, the next watch sends it; killed after it, before the SQL mark, the next
watch finds the marker and only marks it. So a supervisor is told once, and the room's log
replays it to a board that was away (the room and namespace every board already follows).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from contactcentre.realtime.emit_once import emit_once
from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.realtime.rooms import SUPERVISORS
from contactcentre.store.db import Database
from contactcentre.store.models import SlaAlert
from contactcentre.store.types import utcnow

SENT = "cc:sla:sent:"  # + alert id: the event went out (kept a week; alerts are sent in seconds)
EVENTS = {"warning": "sla_warning", "breach": "sla_breach"}
BATCH = 500


def payload(alert: SlaAlert) -> dict[str, Any]:
    """What the board is told; `id` lets a client act on an alert once whatever room it came by."""
    return {
        "id": f"sla-alert:{alert.id}",
        "alert_id": alert.id,
        "interaction_id": alert.interaction_id,
        "target": alert.target,
        "level": alert.level,
        "policy_id": alert.policy_id,
        "queue_id": alert.queue_id,
        "channel": alert.channel,
        "due_at": alert.due_at.isoformat(),
    }


def pending(session: Session, limit: int = BATCH) -> list[tuple[int, str, dict[str, Any]]]:
    rows = session.scalars(
        select(SlaAlert).where(SlaAlert.sent_at.is_(None)).order_by(SlaAlert.id).limit(limit)
    )
    return [(row.id, EVENTS[row.level], payload(row)) for row in rows]


def send_pending(database: Database, client: redis.Redis, emitter: RealtimeEmitter) -> int:
    """Send every alert not sent yet; returns how many this call sent."""
    sent = 0
    while True:
        with database.session() as session:
            batch = pending(session)
        if not batch:
            return sent
        for alert_id, event, data in batch:
            sent += emit_once(
                client, emitter, SENT + str(alert_id), room=SUPERVISORS, event=event, data=data
            )
        when: datetime = utcnow()
        with database.session() as session:
            session.execute(
                update(SlaAlert)
                .where(SlaAlert.id.in_([a for a, _e, _d in batch]))
                .values(sent_at=when)
            )
        if len(batch) < BATCH:
            return sent
