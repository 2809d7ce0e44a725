"""The agent's side of an email thread: who may read it (its agent, any supervisor, by the one
rule for interactions), who may answer it (the agent the router assigned it to), and the thread
as the console shows it: every message in and out, oldest first, with its attachments."""

from __future__ import annotations

from email import policy
from email.message import Message as MimeMessage
from email.parser import BytesParser
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.cti.access import may_see_interaction
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.desk import Desk
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import (
    Agent,
    EmailAttachment,
    EmailThread,
    InboundEmail,
    Interaction,
    Mailbox,
    OutboundEmail,
    User,
)


class EmailRefused(Exception):
    """An action the rules refuse, with the HTTP status, a stable code and the field."""

    def __init__(self, status: int, code: str, message: str, field: str = "interaction_id"):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def find_thread(runtime: Runtime, session: Session, user: User, interaction_id: str) -> EmailThread:
    """The email thread of an interaction the user may see; 404, 409 (not an email), 403."""
    interaction = session.get(Interaction, interaction_id)
    if interaction is None:
        raise EmailRefused(404, "not_found", f"no interaction {interaction_id}")
    if not may_see_interaction(session, Desk(runtime.redis), user, interaction_id):
        raise EmailRefused(403, "forbidden", "this email is not yours")
    if interaction.channel != "email":
        raise EmailRefused(
            409, "not_email", f"interaction {interaction_id} is a {interaction.channel}"
        )
    thread = session.scalars(
        select(EmailThread).where(EmailThread.interaction_id == interaction_id)
    ).first()
    if thread is None:
        raise EmailRefused(404, "not_found", f"no email thread for interaction {interaction_id}")
    return thread


def writer(runtime: Runtime, user: User, interaction_id: str) -> Agent:
    """Only the agent the router assigned the email to answers it (supervisors read)."""
    assigned = RoutingClient(runtime.redis).assigned_agent(interaction_id)
    if user.agent is None or assigned is None or str(user.agent.id) != assigned:
        raise EmailRefused(403, "forbidden", "only the email's agent may answer it")
    return user.agent


def attachment_url(interaction_id: str, attachment_id: int) -> str:
    return f"/api/v1/emails/{interaction_id}/attachments/{attachment_id}"


def thread_view(session: Session, thread: EmailThread) -> dict[str, Any]:
    """The thread for the console: its reference, the customer and every message, oldest
    first. Inbound bodies are the sanitised HTML (for a sandboxed frame) and the text views."""
    mailbox = session.get(Mailbox, thread.mailbox_id)
    ours = mailbox.address if mailbox else ""
    inbound = list(
        session.scalars(
            select(InboundEmail)
            .where(InboundEmail.thread_id == thread.id, InboundEmail.status == "processed")
            .order_by(InboundEmail.received_at, InboundEmail.id)
        )
    )
    files: dict[int, list[dict[str, Any]]] = {}
    if inbound:
        for row in session.scalars(
            select(EmailAttachment)
            .where(EmailAttachment.inbound_id.in_([m.id for m in inbound]))
            .order_by(EmailAttachment.id)
        ):
            files.setdefault(row.inbound_id, []).append(
                {
                    "id": row.id,
                    "filename": row.filename,
                    "content_type": row.content_type,
                    "size": row.size,
                    "accepted": row.accepted,
                    "refusal": row.refusal,
                    "url": attachment_url(str(thread.interaction_id), row.id)
                    if row.accepted
                    else None,
                }
            )
    messages: list[tuple[Any, dict[str, Any]]] = []
    for m in inbound:
        messages.append(
            (
                m.received_at,
                {
                    "id": f"in-{m.id}",
                    "direction": "in",
                    "from": m.from_address,
                    "to": ours,
                    "subject": m.subject or "",
                    "at": m.received_at.isoformat(),
                    "html": m.html_body,
                    "text": m.text_body or "",
                    "reply_text": m.reply_text or "",
                    "quoted_text": m.quoted_text or "",
                    "signature": m.signature or "",
                    "message_id": (m.facts or {}).get("message_id"),
                    "attachments": files.get(m.id, []),
                    "status": None,
                    "purpose": None,
                },
            )
        )
    for o in session.scalars(
        select(OutboundEmail).where(OutboundEmail.thread_id == thread.id).order_by(OutboundEmail.id)
    ):
        messages.append((o.created_at, outbound_view(o, ours)))
    messages.sort(key=lambda pair: pair[0])
    return {
        "interaction_id": thread.interaction_id,
        "thread_id": thread.id,
        "reference": thread.reference,
        "mailbox": ours,
        "customer_address": thread.customer_address,
        "customer_id": thread.customer_id,
        "messages": [view for _, view in messages],
    }


def outbound_view(o: OutboundEmail, ours: str) -> dict[str, Any]:
    return {
        "id": f"out-{o.id}",
        "direction": "out",
        "from": ours,
        "to": o.to_address,
        "subject": o.subject,
        "at": (o.sent_at or o.created_at).isoformat(),
        "html": None,
        "text": o.text_body,
        "reply_text": o.text_body,
        "quoted_text": "",
        "signature": "",
        "message_id": o.message_id,
        "attachments": [],
        "status": o.status,  # queued, sending, sent, failed
        "purpose": o.purpose,  # acknowledgement, reply
    }


def attachment_content(
    session: Session, thread: EmailThread, attachment_id: int
) -> tuple[EmailAttachment, bytes]:
    """An accepted attachment of this thread, read from the raw message it arrived in."""
    row = session.get(EmailAttachment, attachment_id)
    inbound = session.get(InboundEmail, row.inbound_id) if row is not None else None
    if row is None or inbound is None or inbound.thread_id != thread.id:
        raise EmailRefused(404, "not_found", f"no attachment {attachment_id}", "attachment_id")
    if not row.accepted:
        raise EmailRefused(403, "refused", f"attachment refused: {row.refusal}", "attachment_id")
    part = _part(BytesParser(policy=policy.default).parsebytes(inbound.raw), row.part)
    if part is None:
        raise EmailRefused(404, "not_found", f"no part {row.part}", "attachment_id")
    if part.get_content_type() == "message/rfc822":
        return row, part.as_bytes()
    data = part.get_payload(decode=True)
    return row, data if isinstance(data, bytes) else b""


def _part(message: MimeMessage, path: str) -> MimeMessage | None:
    """The MIME part at a path as parsing numbered it: "1" the message, "1.2" its second child."""
    steps = path.split(".")[1:]
    part: MimeMessage = message
    for step in steps:
        if not part.is_multipart() or part.get_content_type() == "message/rfc822":
            return None
        children = list(part.iter_parts())  # type: ignore[attr-defined]
        index = int(step) - 1
        if not 0 <= index < len(children):
            return None
        part = children[index]
    return part
