"""Which thread a message belongs to, in the order of trust: its In-Reply-To and References
against the Message-IDs we sent and stored; then a reference number in the subject ("[CC-…]",
which survives clients that drop headers); then the same sender and normalised subject within
a window. None of these: a new thread."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from contactcentre.email.parsing import ParsedEmail
from contactcentre.store.db import insert_for
from contactcentre.store.models import EmailMessageId, EmailThread
from contactcentre.store.types import utcnow

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
REFERENCE = re.compile(r"\bCC-([A-HJ-NP-Z2-9]{8})\b", re.IGNORECASE)
_PREFIXES = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|sv|vs|antw|rif|tr|ref|res|enc)\s*(\[\d+\]|\(\d+\))?\s*[:\uff1a]\s*)+",
    re.IGNORECASE,
)
_TAGS = re.compile(r"\[[^\]]{0,40}\]")


def new_reference() -> str:
    return "CC-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def subject_key(subject: str) -> str:
    """The subject without reply and forward prefixes (any language), tags and case."""
    text = _TAGS.sub(" ", subject)
    previous = None
    while previous != text:
        previous, text = text, _PREFIXES.sub("", text)
    return " ".join(text.lower().split())[:255]


def find_thread(
    session: Session, mailbox_id: int, parsed: ParsedEmail, now: datetime, window: timedelta
) -> tuple[EmailThread | None, str]:
    """The thread and how it was found: in-reply-to, references, reference, sender+subject."""
    for how, ids in (("in-reply-to", parsed.in_reply_to), ("references", parsed.references[::-1])):
        if not ids:
            continue
        rows = session.execute(
            select(EmailMessageId.message_id, EmailMessageId.thread_id).where(
                EmailMessageId.mailbox_id == mailbox_id, EmailMessageId.message_id.in_(ids)
            )
        ).all()
        by_id = {message_id: thread_id for message_id, thread_id in rows}
        for ident in ids:  # the nearest ancestor first
            if ident in by_id:
                return session.get(EmailThread, by_id[ident]), how
    match = REFERENCE.search(parsed.subject)
    if match:
        reference = "CC-" + match.group(1).upper()
        thread = session.scalars(
            select(EmailThread).where(
                EmailThread.reference == reference, EmailThread.mailbox_id == mailbox_id
            )
        ).first()
        if thread is not None:
            return thread, "reference"
    key = subject_key(parsed.subject)
    if key and parsed.from_address:
        thread = session.scalars(
            select(EmailThread)
            .where(
                EmailThread.mailbox_id == mailbox_id,
                EmailThread.customer_address == parsed.from_address,
                EmailThread.subject_key == key,
                EmailThread.last_message_at >= now - window,
            )
            .order_by(EmailThread.last_message_at.desc())
        ).first()
        if thread is not None:
            return thread, "sender+subject"
    return None, "new"


def remember_message_id(
    session: Session, mailbox_id: int, message_id: str | None, thread_id: str, direction: str
) -> None:
    """Record a Message-ID of the thread (once; the first thread to claim an id keeps it)."""
    if not message_id:
        return
    values = {
        "mailbox_id": mailbox_id,
        "message_id": message_id,
        "thread_id": thread_id,
        "direction": direction,
        "created_at": utcnow(),
    }
    session.flush()
    session.connection().execute(_insert_once(session.get_bind().dialect.name), values)


@cache
def _insert_once(dialect: str) -> Any:
    table = cast(Table, EmailMessageId.__table__)
    return insert_for(dialect)(table).on_conflict_do_nothing()
