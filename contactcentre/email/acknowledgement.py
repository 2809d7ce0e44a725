"""The automatic acknowledgement of a new thread: its reference number in the subject and text,
our own Message-ID recorded so the customer's reply threads, RFC 3834's Auto-Submitted on it so
other robots do not answer it. Never to an auto-reply, a list or a bounce (only `customer`
mail is acknowledged), and at most ACKS_PER_ADDRESS_PER_DAY to one address, which stops a loop
with a robot that strips those headers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactcentre.email.parsing import ParsedEmail
from contactcentre.email.threads import remember_message_id
from contactcentre.store.models import EmailThread, Mailbox, OutboundEmail

ACKS_PER_ADDRESS_PER_DAY = 5
DEFAULT_TEXT = (
    "Thank you for writing to us. We have received your message and will reply as soon as we "
    "can.\n\nYour reference number is {reference}. Please keep it in the subject when you "
    "write again about this.\n"
)


def should_acknowledge(
    session: Session, mailbox: Mailbox, parsed: ParsedEmail, now: datetime
) -> bool:
    if not mailbox.acknowledge or parsed.kind != "customer" or not parsed.from_address:
        return False
    if parsed.from_address == mailbox.address:
        return False  # our own address: a loop
    if parsed.authentication.spoofed:
        return False  # it would go to whoever was impersonated (backscatter)
    recent = session.scalar(
        select(func.count(OutboundEmail.id)).where(
            OutboundEmail.purpose == "acknowledgement",
            OutboundEmail.to_address == parsed.from_address,
            OutboundEmail.created_at >= now - timedelta(days=1),
        )
    )
    return int(recent or 0) < ACKS_PER_ADDRESS_PER_DAY


def acknowledge(
    session: Session, mailbox: Mailbox, thread: EmailThread, parsed: ParsedEmail
) -> OutboundEmail:
    """The acknowledgement, written (status queued) in the caller's transaction."""
    domain = mailbox.address.rpartition("@")[2] or "contactcentre"
    message_id = f"ack.{uuid.uuid4().hex}@{domain}"
    subject = f"[{thread.reference}] We have your message: {parsed.subject}"[:255]
    references = [*parsed.references[-10:], *([parsed.message_id] if parsed.message_id else [])]
    text = (mailbox.acknowledgement_text or DEFAULT_TEXT).replace("{reference}", thread.reference)
    outbound = OutboundEmail(
        thread_id=thread.id,
        purpose="acknowledgement",
        idempotency_key=f"ack:{thread.id}",
        message_id=message_id,
        to_address=parsed.from_address or "",
        subject=subject,
        text_body=text,
        in_reply_to=parsed.message_id,
        references=" ".join(f"<{r}>" for r in references),
        status="queued",
    )
    session.add(outbound)
    remember_message_id(session, mailbox.id, message_id, thread.id, "out")
    return outbound
