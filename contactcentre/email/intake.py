"""Storing a message as it arrived, before anything else: the raw bytes, once per
(mailbox, Message-ID) and once per provider event id, by one INSERT ... ON CONFLICT DO NOTHING,
so two deliveries racing (a retrying server, two webhooks) end with one row.

Every intake (the SMTP listener, the IMAP poller, provider webhooks) calls `store`; parsing
happens later (processing.py), so a message the parser cannot read is still kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from contactcentre.email.parsing import message_key
from contactcentre.store.db import insert_for
from contactcentre.store.models import InboundEmail, Mailbox
from contactcentre.store.types import utcnow

SOURCES = ("smtp", "imap", "sendgrid", "mailgun", "postmark")


@dataclass(frozen=True)
class Stored:
    inbound_id: int
    created: bool  # False: this message (or provider event) was stored before


def mailbox_for(session: Session, address: str) -> Mailbox | None:
    """The active mailbox an address delivers to; `support+tag@` reaches `support@`."""
    normalised = address.strip().strip("<>").lower()
    local, _, domain = normalised.partition("@")
    candidates = {normalised, f"{local.split('+', 1)[0]}@{domain}"}
    return session.scalars(
        select(Mailbox).where(Mailbox.address.in_(candidates), Mailbox.active).order_by(Mailbox.id)
    ).first()


def store(
    session: Session,
    *,
    mailbox_id: int,
    raw: bytes,
    source: str,
    provider_event_id: str | None = None,
    envelope_from: str | None = None,
) -> Stored:
    """Write the raw message in the caller's transaction (the caller commits before it tells
    the sender it has the message)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}")
    key = message_key(raw)
    values: dict[str, Any] = {
        "mailbox_id": mailbox_id,
        "message_key": key,
        "source": source,
        "provider_event_id": provider_event_id,
        "envelope_from": (envelope_from or "")[:254] or None,
        "raw": raw,
        "size": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "status": "received",
        "received_at": utcnow(),
        "facts": {},
    }
    session.flush()
    statement = _insert_once(session.get_bind().dialect.name)
    inserted: Any = session.connection().execute(statement, values).scalar_one_or_none()
    if inserted is not None:
        return Stored(int(inserted), True)
    condition = (InboundEmail.mailbox_id == mailbox_id) & (InboundEmail.message_key == key)
    if provider_event_id is not None:
        condition = condition | (
            (InboundEmail.source == source) & (InboundEmail.provider_event_id == provider_event_id)
        )
    existing = session.scalars(select(InboundEmail.id).where(condition)).first()
    if existing is None:  # the row it collided with was deleted since
        raise LookupError("the message was neither stored nor found")
    return Stored(int(existing), False)


@cache
def _insert_once(dialect: str) -> Any:
    table = cast(Table, InboundEmail.__table__)
    return insert_for(dialect)(table).on_conflict_do_nothing().returning(table.c.id)
