"""Quarantine: a message the parser could not read, or whose processing kept failing, is kept
with the reason for an administrator and taken out of the intake's way, never dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.store.models import EmailQuarantine, InboundEmail, Mailbox
from contactcentre.store.types import utcnow


@dataclass(frozen=True)
class Quarantined:
    id: int
    inbound_id: int
    mailbox: str
    reason: str
    detail: str
    size: int
    source: str
    received_at: datetime
    quarantined_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "inbound_id": self.inbound_id,
            "mailbox": self.mailbox,
            "reason": self.reason,
            "detail": self.detail,
            "size": self.size,
            "source": self.source,
            "received_at": self.received_at.isoformat(),
            "quarantined_at": self.quarantined_at.isoformat(),
        }


def quarantine(session: Session, inbound: InboundEmail, reason: str, detail: str) -> None:
    """Mark the message quarantined and say why (once; a second call keeps the first reason)."""
    inbound.status = "quarantined"
    inbound.processed_at = utcnow()
    if session.scalar(select(EmailQuarantine.id).where(EmailQuarantine.inbound_id == inbound.id)):
        return
    session.add(EmailQuarantine(inbound_id=inbound.id, reason=reason[:64], detail=detail[:2000]))


def listing(session: Session, limit: int = 100, before_id: int | None = None) -> list[Quarantined]:
    """Newest first, `limit` at a time (page with the last id seen)."""
    stmt = (
        select(EmailQuarantine, InboundEmail, Mailbox)
        .join(InboundEmail, InboundEmail.id == EmailQuarantine.inbound_id)
        .join(Mailbox, Mailbox.id == InboundEmail.mailbox_id)
        .order_by(EmailQuarantine.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        stmt = stmt.where(EmailQuarantine.id < before_id)
    return [
        Quarantined(
            q.id,
            inbound.id,
            mailbox.address,
            q.reason,
            q.detail,
            inbound.size,
            inbound.source,
            inbound.received_at,
            q.created_at,
        )
        for q, inbound, mailbox in session.execute(stmt)
    ]
