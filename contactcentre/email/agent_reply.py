"""An agent's reply to an email thread: written first, in one transaction, as an outbound
message with its own Message-ID, In-Reply-To and References from the customer's latest
message and the thread's reference number in the subject (docs/email.md, "Threading"), beside
its `messages` row and a `message_out` event by the agent (the SLA first-response clock reads
it); then sent by the RQ job of contactcentre/email/sending.py.

Why a kill -9 loses nothing and sends nothing twice: the row is committed before any job
exists; a kill before the enqueue leaves a `queued` row the mail process's reconcile pass
enqueues again; a kill mid-send leaves `sending`, enqueued again once its job is gone, and
the server kept nothing of a dialogue cut before its final 250 (sending.py says the rest).
A resend of one request (the same `client_id`) finds the first row by its idempotency key.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.email.agent_thread import EmailRefused
from contactcentre.email.threads import REFERENCE, remember_message_id
from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.store.models import (
    Agent,
    EmailThread,
    InboundEmail,
    Interaction,
    Mailbox,
    Message,
    OutboundEmail,
)
from contactcentre.store.types import utcnow

MAX_REPLY_CHARS = 20_000
MAX_REFERENCES = 10  # RFC 5322 lets References grow; the newest ten thread as well


def reply(
    session: Session,
    thread: EmailThread,
    agent: Agent,
    body: str | None,
    *,
    template_id: int | None = None,  # recorded: the text is filled in by the caller
    client_id: str | None = None,
) -> tuple[OutboundEmail, bool]:
    """Write the reply (status queued) and commit; (the row, whether it is new)."""
    key = f"reply:{thread.id}:{client_id}" if client_id else f"reply:{uuid.uuid4().hex}"
    known = session.scalars(
        select(OutboundEmail).where(OutboundEmail.idempotency_key == key)
    ).first()
    if known is not None:
        return known, False
    interaction = session.get(Interaction, thread.interaction_id)
    assert interaction is not None
    if body is None or not body.strip():
        raise EmailRefused(422, "required", "write a reply or pick a template", "body")
    if len(body) > MAX_REPLY_CHARS:
        raise EmailRefused(
            422, "too_long", f"a reply is at most {MAX_REPLY_CHARS} characters", "body"
        )
    mailbox = session.get(Mailbox, thread.mailbox_id)
    assert mailbox is not None
    latest = session.scalars(
        select(InboundEmail)
        .where(InboundEmail.thread_id == thread.id, InboundEmail.status == "processed")
        .order_by(InboundEmail.received_at.desc(), InboundEmail.id.desc())
    ).first()
    facts = (latest.facts or {}) if latest is not None else {}
    parent = facts.get("message_id")
    ancestors = [str(r) for r in facts.get("references") or []]
    chain = [*ancestors, *([parent] if parent else [])][-MAX_REFERENCES:]
    domain = mailbox.address.rpartition("@")[2] or "contactcentre"
    message_id = f"reply.{uuid.uuid4().hex}@{domain}"
    outbound = OutboundEmail(
        thread_id=thread.id,
        purpose="reply",
        idempotency_key=key,
        message_id=message_id,
        to_address=thread.customer_address,
        subject=reply_subject((latest.subject if latest else "") or "", thread.reference),
        text_body=body,
        in_reply_to=parent,
        references=" ".join(f"<{r}>" for r in chain),
        status="queued",
    )
    session.add(outbound)
    session.flush()
    remember_message_id(session, mailbox.id, message_id, thread.id, "out")
    now = utcnow()
    session.add(
        Message(
            interaction_id=interaction.id,
            direction="out",
            sender=f"agent:{agent.id}",
            body=body,
            meta={
                "outbound_id": outbound.id,
                "subject": outbound.subject,
                "template_id": template_id,
            },
        )
    )
    event_log.append(
        session,
        NewEvent(
            interaction.id,
            "message_out",
            now,
            f"{interaction.id}:email-out:{outbound.id}",
            actor=f"agent:{agent.id}",
            data={"by": "agent", "outbound_id": outbound.id, "chars": len(body)},
        ),
    )
    thread.last_message_at = now
    session.commit()
    return outbound, True


def reply_subject(subject: str, reference: str) -> str:
    """ "Re: <their subject>" with the thread's reference number, once."""
    subject = " ".join((subject or "").split())
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}" if subject else "Re:"
    if not REFERENCE.search(subject):
        subject = f"{subject[: 255 - len(reference) - 3]} [{reference}]"  # the number survives
    return subject[:255]
