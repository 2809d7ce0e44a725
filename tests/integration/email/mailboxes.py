"""Helpers for the email channel's tests: a mailbox, a stored message, the intake processor."""

from __future__ import annotations

from contactcentre.email.intake import Stored, store
from contactcentre.email.processing import limits_for
from contactcentre.email.processor import IntakeProcessor
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import Mailbox

ADDRESS = "support@example.com"


def add_mailbox(db: Database, address: str = ADDRESS, **fields: object) -> int:
    with db.session() as session:
        mailbox = Mailbox(address=address, display_name="Support", **fields)
        session.add(mailbox)
        session.flush()
        return mailbox.id


def deliver(db: Database, mailbox_id: int, raw: bytes, **fields: object) -> Stored:
    with db.session() as session:
        return store(session, mailbox_id=mailbox_id, raw=raw, source="smtp", **fields)  # type: ignore[arg-type]


def processor(db: Database, settings: Settings) -> IntakeProcessor:
    return IntakeProcessor(db, limits_for(settings))
