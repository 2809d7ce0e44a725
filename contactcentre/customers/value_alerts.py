"""The CLV-decline alerts told to supervisors, each once: the row is written first (in the
transaction that saw the second fall, customers.value_history), then sent on the supervisors'
room with a Redis marker set in the same MULTI/EXEC as the event, then marked sent in SQL.

Killed before the send, the next send_pending (after any customer update, and in the
quarter-end job) sends it; killed after, before the SQL mark, the marker stops a second event
and the next run only marks it: the pattern of reporting.sla_alerts.
"""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from contactcentre.realtime.emit_once import emit_once
from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.realtime.rooms import SUPERVISORS
from contactcentre.store.db import Database
from contactcentre.store.models import CustomerValueAlert
from contactcentre.store.types import utcnow
from routing.customer_risk import Quarter

EVENT = "clv_decline"
SENT = "cc:clv:sent:"  # + alert id: the event went out
BATCH = 500


def alert_out(alert: CustomerValueAlert) -> dict[str, Any]:
    """The alert as the API lists it and the supervisors' room is told it."""
    return {
        "id": f"clv-alert:{alert.id}",
        "alert_id": alert.id,
        "customer_id": alert.customer_id,
        "quarter": str(Quarter.from_index(alert.quarter)),
        "segment": alert.segment,
        "clv_two_quarters_ago": float(alert.clv_two_quarters_ago),
        "clv_last_quarter": float(alert.clv_last_quarter),
        "clv_now": float(alert.clv_now),
        "created_at": alert.created_at.isoformat(),
        "sent": alert.sent_at is not None,
    }


def _pending(session: Session) -> list[tuple[int, dict[str, Any]]]:
    rows = session.scalars(
        select(CustomerValueAlert)
        .where(CustomerValueAlert.sent_at.is_(None))
        .order_by(CustomerValueAlert.id)
        .limit(BATCH)
    )
    return [(row.id, alert_out(row)) for row in rows]


def send_pending(database: Database, client: redis.Redis, emitter: RealtimeEmitter) -> int:
    """Send every alert not sent yet; returns how many this call sent."""
    sent = 0
    while True:
        with database.session() as session:
            batch = _pending(session)
        if not batch:
            return sent
        for alert_id, data in batch:
            sent += emit_once(
                client, emitter, SENT + str(alert_id), room=SUPERVISORS, event=EVENT, data=data
            )
        with database.session() as session:
            session.execute(
                update(CustomerValueAlert)
                .where(CustomerValueAlert.id.in_([a for a, _d in batch]))
                .values(sent_at=utcnow())
            )
        if len(batch) < BATCH:
            return sent
