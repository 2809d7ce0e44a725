"""The SMTP listener (aiosmtpd) for direct delivery: refuses before DATA what it can (a recipient
that is no mailbox here: 550; a declared SIZE over the limit: 552, by aiosmtpd's SIZE
extension), and answers 250 to DATA only once the raw message is committed.

Database work runs in a thread pool, never on the event loop, so one slow commit does not stall
the other sessions' dialogue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from contactcentre.email.intake import mailbox_for, store
from contactcentre.store.db import Database

log = logging.getLogger(__name__)


class IntakeHandler:
    """aiosmtpd's handler: one stored row per accepted recipient mailbox."""

    def __init__(self, db: Database, on_stored: Callable[[], None] = lambda: None) -> None:
        self.db = db
        self.on_stored = on_stored

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        try:
            mailbox_id = await asyncio.get_running_loop().run_in_executor(
                None, self._mailbox_id, address
            )
        except Exception:
            # The lookup failed (the database is away), not the address: temporary, so the
            # sending server retries. aiosmtpd would answer 500 and the sender bounce the mail.
            log.exception("could not look up a recipient mailbox")
            return "451 4.3.0 Could not check the recipient; try again later"
        if mailbox_id is None:
            return "550 5.1.1 No mailbox here by that name"
        envelope.rcpt_tos.append(address)
        mailboxes: list[int] = getattr(envelope, "cc_mailboxes", [])
        if mailbox_id not in mailboxes:
            mailboxes.append(mailbox_id)
        envelope.cc_mailboxes = mailboxes  # type: ignore[attr-defined]
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        mailboxes: list[int] = getattr(envelope, "cc_mailboxes", [])
        try:
            stored = await asyncio.get_running_loop().run_in_executor(
                None, self._store, mailboxes, raw, envelope.mail_from
            )
        except Exception:
            # Not stored: a temporary failure, so the sending server keeps it and retries.
            log.exception("could not store an inbound message")
            return "451 4.3.0 Could not store the message; try again later"
        self.on_stored()
        return f"250 2.0.0 Stored as {stored}"

    def _mailbox_id(self, address: str) -> int | None:
        with self.db.session() as session:
            mailbox = mailbox_for(session, address)
            return None if mailbox is None else mailbox.id

    def _store(self, mailboxes: list[int], raw: bytes, mail_from: str | None) -> str:
        """Every recipient mailbox's copy in one transaction, committed before returning."""
        with self.db.session() as session:
            ids = [
                store(
                    session, mailbox_id=m, raw=raw, source="smtp", envelope_from=mail_from
                ).inbound_id
                for m in mailboxes
            ]
        return ",".join(str(i) for i in ids)


def listener(
    handler: IntakeHandler, host: str, port: int, max_bytes: int, **options: Any
) -> Controller:
    """The listener, not yet started; `max_bytes` is advertised as SIZE and enforced."""
    return Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=max_bytes,
        # The messages are stored as bytes exactly as they came; nothing decodes them here.
        decode_data=False,
        ident="contactcentre",
        **options,
    )
