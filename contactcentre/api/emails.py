"""/api/v1/emails/{interaction_id}: the agent's side of an email (the thread, a reply, an
attachment) for the agent holding it, and read-only for supervisors. The rules live in
contactcentre.email.agent_thread and agent_reply; the views stay thin."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from contactcentre.auth.access import api_user, require_api_role
from contactcentre.chat.canned import render
from contactcentre.email import agent_reply, sending
from contactcentre.email.agent_thread import (
    EmailRefused,
    attachment_content,
    find_thread,
    outbound_view,
    thread_view,
    writer,
)
from contactcentre.errors import ApiError
from contactcentre.platform.runtime import current_runtime
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import (
    Agent,
    CannedResponse,
    Customer,
    EmailThread,
    Interaction,
    Mailbox,
    Role,
)
from contactcentre.webapi.common import ERRORS, SECURITY, Body, Id

log = logging.getLogger(__name__)
api = APIBlueprint(
    "emails", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="emails")], abp_security=SECURITY
)


class EmailPath(BaseModel):
    interaction_id: str = Field(max_length=64)


class AttachmentPath(EmailPath):
    attachment_id: Id


class ReplyIn(Body):
    body: str | None = Field(
        None,
        max_length=agent_reply.MAX_REPLY_CHARS,
        description="plain text; may be left out when a template is given",
    )
    template_id: Id | None = Field(None, description="a canned response offered in this queue")
    client_id: str | None = Field(
        None, min_length=1, max_length=64, description="a resend with the same id sends once"
    )


class EmailMessageOut(BaseModel):
    id: str
    direction: str = Field(description="in (from the customer) or out (from us)")
    from_: str | None = Field(alias="from", description="the sender's address")
    to: str
    subject: str
    at: str
    html: str | None = Field(description="sanitised HTML, for a sandboxed frame; null: none")
    text: str = Field(description="the plain-text view")
    reply_text: str = Field(description="what the customer wrote this time")
    quoted_text: str = Field(description="what they quoted of earlier messages")
    signature: str
    message_id: str | None
    attachments: list[dict[str, Any]]
    status: str | None = Field(description="ours: queued, sending, sent, failed")
    purpose: str | None = Field(description="ours: acknowledgement or reply")


class EmailThreadOut(BaseModel):
    interaction_id: str
    thread_id: str
    reference: str
    mailbox: str
    customer_address: str
    customer_id: int | None
    may_reply: bool = Field(description="the caller is the agent the email is assigned to")
    messages: list[dict[str, Any]] = Field(description="EmailMessageOut, oldest first")


def _template_text(
    session: Session, interaction: Interaction, agent: Agent, template_id: int
) -> str:
    """A canned response offered in this email's queue, its placeholders filled in."""
    row = session.get(CannedResponse, template_id)
    if (
        row is None
        or not row.active
        # As GET /canned-responses?interaction_id= lists them: the queue's and everyone's.
        or (
            row.queue_id is not None
            and interaction.queue_id is not None
            and row.queue_id != interaction.queue_id
        )
    ):
        raise EmailRefused(
            422, "unknown_template", f"no template {template_id} for this email", "template_id"
        )
    customer = session.get(Customer, interaction.customer_id) if interaction.customer_id else None
    name = None
    if customer is not None:
        name = " ".join(p for p in (customer.first_name, customer.last_name) if p) or None
    values: dict[str, Any] = {
        "customer_name": name,
        "agent_name": agent.display_name,
        "order_number": (interaction.attributes or {}).get("order_number"),
    }
    return render(row.body, values)


@contextmanager
def _thread(interaction_id: str) -> Iterator[tuple[Session, EmailThread]]:
    """A session and the thread the caller may see; every refusal of the rules inside the
    block becomes an API error."""
    runtime = current_runtime()
    try:
        with runtime.db.session() as session:
            yield session, find_thread(runtime, session, api_user(), interaction_id)
    except EmailRefused as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from None


@api.get("/emails/<interaction_id>", responses={200: EmailThreadOut, **ERRORS})
@require_api_role(Role.AGENT)
def get_email(path: EmailPath) -> Any:
    """The thread, every message in and out, oldest first, with the send status of ours."""
    runtime = current_runtime()
    with _thread(path.interaction_id) as (session, thread):
        user = api_user()
        assigned = RoutingClient(runtime.redis).assigned_agent(path.interaction_id)
        mine = user.agent is not None and assigned == str(user.agent.id)
        return {**thread_view(session, thread), "may_reply": mine}


@api.post("/emails/<interaction_id>/replies", responses={201: EmailMessageOut, **ERRORS})
@require_api_role(Role.AGENT)
def send_reply(path: EmailPath, body: ReplyIn) -> Any:
    """The agent's reply: stored (queued) with its threading headers, then sent by a job."""
    runtime = current_runtime()
    with _thread(path.interaction_id) as (session, thread):
        agent = writer(runtime, api_user(), path.interaction_id)
        text = body.body
        if body.template_id is not None:
            interaction = session.get(Interaction, path.interaction_id)
            assert interaction is not None
            filled = _template_text(session, interaction, agent, body.template_id)
            text = text if text and text.strip() else filled
        outbound, new = agent_reply.reply(
            session, thread, agent, text, template_id=body.template_id, client_id=body.client_id
        )
        if new:
            try:
                sending.enqueue(runtime.redis_url, outbound.id)
            except Exception:  # committed: the mail process's reconcile pass enqueues it
                log.exception("reply %s not enqueued; the reconciler will", outbound.id)
        mailbox = session.get(Mailbox, thread.mailbox_id)
        return outbound_view(outbound, mailbox.address if mailbox else ""), 201 if new else 200


@api.get("/emails/<interaction_id>/attachments/<int:attachment_id>", responses=ERRORS)
@require_api_role(Role.AGENT)
def get_attachment(path: AttachmentPath) -> Any:
    """An accepted attachment, as a download (never shown inline: it is the sender's file)."""
    with _thread(path.interaction_id) as (session, thread):
        row, data = attachment_content(session, thread, path.attachment_id)
        name = quote(row.filename or f"attachment-{row.id}", safe="")
        response = Response(data, mimetype="application/octet-stream")
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "sandbox"
        return response
