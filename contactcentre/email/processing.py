"""Processing one stored message: parse it, or quarantine it with the reason; record what it
says (bodies, attachments, bounces), then hand it to the channel's next step (`after_parse`:
threading, routing and acknowledgement, wired by the mail process).

Each message is processed in its own transaction, so one that fails never holds up the next.
Processing is idempotent: a message processed again after a crash writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from contactcentre.email.parsing import Limits, ParsedEmail, Unparseable, parse
from contactcentre.email.quarantine import quarantine
from contactcentre.settings import Settings
from contactcentre.store.models import EmailAttachment, EmailBounce, InboundEmail
from contactcentre.store.types import utcnow

# The first key of our advisory locks on mailboxes ("EM"): other locks use other spaces.
MAILBOX_LOCK_SPACE = 0x454D
AfterParse = Callable[[Session, InboundEmail, ParsedEmail], None]


@dataclass(frozen=True)
class Outcome:
    inbound_id: int
    status: str  # processed, quarantined, or what it already was
    reason: str | None = None


def limits_for(settings: Settings) -> Limits:
    return Limits(
        max_attachment_bytes=settings.email_max_attachment_bytes,
        attachment_types=frozenset(t.lower() for t in settings.email_attachment_types),
        trusted_authserv_ids=frozenset(settings.email_trusted_authserv_ids),
    )


def process(
    session: Session, inbound_id: int, limits: Limits, after_parse: AfterParse | None = None
) -> Outcome:
    """Parse and record one message in the caller's transaction."""
    inbound = session.get(InboundEmail, inbound_id, with_for_update=True)
    if inbound is None:
        raise LookupError(f"no inbound email {inbound_id}")
    if inbound.status != "received":
        return Outcome(inbound.id, inbound.status)
    _one_at_a_time_per_mailbox(session, inbound.mailbox_id)
    try:
        parsed = parse(inbound.raw, limits, inbound.envelope_from)
    except Unparseable as exc:
        quarantine(session, inbound, exc.reason, exc.detail)
        return Outcome(inbound.id, "quarantined", exc.reason)
    record(session, inbound, parsed)
    if after_parse is not None:
        after_parse(session, inbound, parsed)
    inbound.status = "processed"
    inbound.processed_at = utcnow()
    return Outcome(inbound.id, "processed")


def _one_at_a_time_per_mailbox(session: Session, mailbox_id: int) -> None:
    """Two mail processes (or two of their processors) each take a different message of the
    same conversation: both would find no thread yet and open one each. A transaction-scoped
    lock per mailbox makes the second wait for the first's thread. (SQLite has one writer: the
    second's write fails on its stale snapshot, which is no attempt, and is processed again.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :mailbox)"),
            {"space": MAILBOX_LOCK_SPACE, "mailbox": mailbox_id},
        )


def record(session: Session, inbound: InboundEmail, parsed: ParsedEmail) -> None:
    """What parsing found, on the message's row and beside it."""
    inbound.kind = parsed.kind
    inbound.from_address = parsed.from_address
    inbound.subject = parsed.subject
    inbound.language = parsed.language
    inbound.text_body = parsed.text
    inbound.html_body = parsed.html
    inbound.reply_text = parsed.reply.reply
    inbound.quoted_text = parsed.reply.quoted
    inbound.signature = parsed.reply.signature
    inbound.facts = {
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to[:20],
        "references": parsed.references[-20:],
        "kind_reason": parsed.kind_reason,
        "headers": parsed.headers,
        "charsets": parsed.charsets,
        "defects": parsed.defects,
        "authentication": parsed.authentication.as_facts(),
    }
    known = set(
        session.scalars(
            select(EmailAttachment.part).where(EmailAttachment.inbound_id == inbound.id)
        )
    )
    for facts in parsed.attachments:
        if facts.part not in known:
            session.add(
                EmailAttachment(
                    inbound_id=inbound.id,
                    part=facts.part,
                    filename=facts.filename,
                    content_type=facts.content_type,
                    size=facts.size,
                    sha256=facts.sha256,
                    accepted=facts.accepted,
                    refusal=facts.refusal,
                )
            )
    bounced = set(
        session.scalars(select(EmailBounce.address).where(EmailBounce.inbound_id == inbound.id))
    )
    for bounce in parsed.bounces:
        if bounce.address not in bounced:
            bounced.add(bounce.address)
            session.add(
                EmailBounce(
                    inbound_id=inbound.id,
                    address=bounce.address,
                    action=bounce.action or "failed",
                    status=bounce.status,
                    diagnostic=bounce.diagnostic,
                )
            )
