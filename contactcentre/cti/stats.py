"""Today's numbers per agent from the interaction event log: handled, AHT, missed offers.

AHT = accepted -> end of after-call work (the disposition, else the wrap-up timer, else the end).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.store.models import Interaction, InteractionEvent

ENDED = ("completed", "canceled", "transferred", "exited")
TYPES = ("accepted", "offer_expired", "rejected", "wrap_up", "disposition", *ENDED)
DEFINITIONS = {
    "handled": "contacts accepted today whose contact has ended",
    "aht_seconds": "average handle time: accepted to end of after-call work "
    "(disposition saved, else wrap-up timer, else contact end), handled contacts, seconds",
    "missed_offers": "offers that rang until they expired, today",
    "rejected_offers": "offers declined, today",
}


@dataclass
class AgentDay:
    handled: int = 0
    handle_seconds: list[float] = field(default_factory=list)
    missed_offers: int = 0
    rejected_offers: int = 0

    def to_dict(self) -> dict[str, Any]:
        aht = statistics.fmean(self.handle_seconds) if self.handle_seconds else None
        return {
            "handled": self.handled,
            "aht_seconds": None if aht is None else round(aht, 1),
            "missed_offers": self.missed_offers,
            "rejected_offers": self.rejected_offers,
        }


def day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Midnight to midnight of `now`'s day in the viewer's time zone."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def agents_today(session: Session, start: datetime, end: datetime) -> dict[str, AgentDay]:
    rows = session.execute(
        select(
            InteractionEvent.interaction_id,
            InteractionEvent.type,
            InteractionEvent.occurred_at,
            InteractionEvent.data,
        )
        .join(Interaction, Interaction.id == InteractionEvent.interaction_id)
        .where(
            InteractionEvent.occurred_at >= start,
            InteractionEvent.occurred_at < end,
            InteractionEvent.type.in_(TYPES),
        )
        .order_by(InteractionEvent.occurred_at, InteractionEvent.id)
    ).all()
    days: dict[str, AgentDay] = defaultdict(AgentDay)
    contacts: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in rows:
        interaction_id: str = row[0]
        kind: str = row[1]
        at: datetime = row[2]
        data: dict[str, Any] = row[3]
        agent = str(data.get("agent_id")) if data.get("agent_id") is not None else None
        contact = contacts[interaction_id]
        if kind == "offer_expired" and agent:
            days[agent].missed_offers += 1
        elif kind == "rejected" and agent:
            days[agent].rejected_offers += 1
        elif kind == "accepted" and agent:
            contact.update(agent=agent, accepted=at)
        elif kind in ENDED and "accepted" in contact:
            contact.setdefault("ended", at)
        elif kind == "wrap_up" and data.get("ends_at"):
            contact["acw_timer"] = float(data["ends_at"])
        elif kind == "disposition":
            contact["disposed"] = at
    for contact in contacts.values():
        if "accepted" not in contact or "ended" not in contact:
            continue
        day = days[contact["agent"]]
        day.handled += 1
        finished = contact["ended"].timestamp()
        if "disposed" in contact:
            finished = max(finished, contact["disposed"].timestamp())
        elif "acw_timer" in contact:
            finished = max(finished, contact["acw_timer"])
        day.handle_seconds.append(finished - contact["accepted"].timestamp())
    return dict(days)
