"""/api/v1/email: the email channel's mailboxes and the quarantine of messages that could not be
parsed (administrators see why, and each stays stored as it arrived)."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from contactcentre.auth.access import require_api_role
from contactcentre.email.quarantine import listing
from contactcentre.errors import conflict
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import EmailQuarantine, Mailbox, Queue, Role
from contactcentre.webapi.common import ERRORS, INT32_MAX, SECURITY, Body, Id, get_or_404

api = APIBlueprint(
    "email",
    __name__,
    url_prefix="/api/v1/email",
    abp_tags=[Tag(name="email")],
    abp_security=SECURITY,
)


class QuarantineQuery(BaseModel):
    limit: int = Field(50, ge=1, le=200)
    before_id: int = Field(
        0, ge=0, le=INT32_MAX, description="page: the last id seen (0: from the newest)"
    )


class QuarantinedOut(BaseModel):
    id: int
    inbound_id: int
    mailbox: str
    reason: str = Field(description="a stable code: empty, no_headers, no_sender, too_complex, ...")
    detail: str
    size: int = Field(description="bytes of the message as it arrived")
    source: str
    received_at: str
    quarantined_at: str


class QuarantineOut(BaseModel):
    items: list[QuarantinedOut]
    total: int


class MailboxIn(Body):
    address: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    display_name: str = Field("", max_length=120)
    queue_id: Id | None = None
    acknowledge: bool = True
    acknowledgement_text: str | None = Field(None, max_length=5000)
    language: str = Field("en", min_length=2, max_length=8)


class MailboxOut(BaseModel):
    id: int
    address: str
    display_name: str
    queue_id: int | None
    acknowledge: bool
    language: str
    active: bool


class MailboxList(BaseModel):
    items: list[MailboxOut]


def _mailbox(row: Mailbox) -> dict[str, Any]:
    return MailboxOut.model_validate(row, from_attributes=True).model_dump()


@api.get("/quarantine", responses={200: QuarantineOut, **ERRORS})
@require_api_role(Role.ADMIN)
def quarantined(query: QuarantineQuery) -> Any:
    """Messages that could not be parsed, newest first, each with the reason."""
    with current_runtime().db.session() as session:
        items = [q.to_dict() for q in listing(session, query.limit, query.before_id or None)]
        total = session.scalar(select(func.count(EmailQuarantine.id))) or 0
    return {"items": items, "total": int(total)}


@api.get("/mailboxes", responses={200: MailboxList, **ERRORS})
@require_api_role(Role.ADMIN)
def mailboxes() -> Any:
    with current_runtime().db.session() as session:
        rows = session.scalars(select(Mailbox).order_by(Mailbox.address))
        return {"items": [_mailbox(row) for row in rows]}


@api.post("/mailboxes", responses={201: MailboxOut, **ERRORS})
@require_api_role(Role.ADMIN)
def create_mailbox(body: MailboxIn) -> Any:
    """A mailbox the listener accepts mail for; new threads go to its queue unless a rule says."""
    address = body.address.strip().lower()
    with current_runtime().db.session() as session:
        if session.scalar(select(Mailbox.id).where(Mailbox.address == address)):
            raise conflict("address", f"mailbox {address} exists")
        if body.queue_id is not None:
            get_or_404(session, Queue, body.queue_id, "queue", "queue_id")
        row = Mailbox(
            address=address,
            display_name=body.display_name,
            queue_id=body.queue_id,
            acknowledge=body.acknowledge,
            acknowledgement_text=body.acknowledgement_text,
            language=body.language,
        )
        session.add(row)
        session.flush()
        audit(session, "email.mailbox.create", "mailbox", row.id, {"address": address})
        return _mailbox(row), 201
