"""The board's SLA numbers: breaches today and the contacts at risk now (past their warning
time, not yet due), from the SLA watch's clocks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactcentre.store.models import SlaClockRow
from routing.metrics import SlaBreaches

AT_RISK_SHOWN = 20


def summary(session: Session, start: datetime, end: datetime, now: float) -> dict[str, Any]:
    """Clocks breached in [start, end) (the viewer's day), and running ones past their warning."""
    moment = datetime.fromtimestamp(now, UTC)
    breaches = session.scalar(
        select(func.count()).where(SlaClockRow.breached_at >= start, SlaClockRow.breached_at < end)
    )
    risky = (
        select(SlaClockRow)
        .where(
            SlaClockRow.status == "running",
            SlaClockRow.warn_at <= moment,
            SlaClockRow.due_at > moment,
        )
        .order_by(SlaClockRow.due_at)
    )
    at_risk = session.scalar(select(func.count()).select_from(risky.order_by(None).subquery()))
    shown = [
        {
            "interaction_id": c.interaction_id,
            "target": c.target,
            "queue_id": c.queue_id,
            "channel": c.channel,
            "due_at": c.due_at.isoformat(),
            "seconds_left": round(c.due_at.timestamp() - now, 1),
        }
        for c in session.scalars(risky.limit(AT_RISK_SHOWN))
    ]
    return {
        "breaches_today": int(breaches or 0),
        "at_risk": int(at_risk or 0),
        "at_risk_contacts": shown,
        "definition": "SLA breaches: clocks of any target (answer, first response, resolution)"
        " not reached by their due time, breached today; at risk: running clocks past their"
        " policy's warning share, not yet due (sla_breaches v"
        f"{SlaBreaches.version})",
    }
