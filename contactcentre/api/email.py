"""/api/v1/email: the email channel's mailboxes and the quarantine of messages that could not be
parsed (administrators see why, and each stays stored as it arrived)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from contactcentre.auth.access import require_api_role
from contactcentre.email.quarantine import listing
from contactcentre.email.secrets import REFERENCE_PATTERN
from contactcentre.errors import ApiError, conflict
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


# A host name or an IP address (v4, or v6 without brackets), as imaplib connects to it.
HOST_PATTERN = r"^([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+)$"
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
SecretRef = Annotated[
    str,
    Field(
        max_length=255,
        pattern=REFERENCE_PATTERN,
        description="where the secret is: env:NAME or file:/path (never the secret itself)",
    ),
]
ImapHost = Annotated[str, Field(min_length=1, max_length=253, pattern=HOST_PATTERN)]
Port = Annotated[int, Field(ge=1, le=65535, description="None: 993 for ssl, else 143")]
ImapTls = Literal["ssl", "starttls", "none"]
ImapUser = Annotated[str, Field(min_length=1, max_length=254, pattern=PRINTABLE)]
Folder = Annotated[str, Field(min_length=1, max_length=255, pattern=PRINTABLE)]
Provider = Literal["sendgrid", "mailgun", "postmark"]
WebhookUser = Annotated[
    str,
    Field(
        min_length=1,
        max_length=254,
        pattern=r"^[^\x00-\x1f\x7f:]+$",
        description="the basic-auth user name (no colon); Postmark needs one",
    ),
]
RESET_POLLING = ("imap_host", "imap_user", "imap_folder")  # another folder: its UIDs differ


class MailboxIn(Body):
    address: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    display_name: str = Field("", max_length=120)
    queue_id: Id | None = None
    acknowledge: bool = True
    acknowledgement_text: str | None = Field(None, max_length=5000)
    language: str = Field("en", min_length=2, max_length=8)
    imap_host: ImapHost | None = Field(None, description="poll this IMAP server (None: not polled)")
    imap_port: Port | None = None
    imap_tls: ImapTls = "ssl"
    imap_user: ImapUser | None = Field(None, description="None: the mailbox's address")
    imap_secret_ref: SecretRef | None = None
    imap_folder: Folder = "INBOX"
    webhook_provider: Provider | None = Field(None, description="take this provider's webhook")
    webhook_user: WebhookUser | None = None
    webhook_secret_ref: SecretRef | None = Field(
        None,
        description="SendGrid: the URL key or basic-auth password; Mailgun: the webhook "
        "signing key; Postmark: the basic-auth password",
    )


class MailboxPatch(Body):
    """Only what is sent changes; null clears a setting that may be empty."""

    display_name: str | None = Field(None, max_length=120)
    queue_id: Id | None = None
    acknowledge: bool | None = None
    acknowledgement_text: str | None = Field(None, max_length=5000)
    language: str | None = Field(None, min_length=2, max_length=8)
    active: bool | None = None
    imap_host: ImapHost | None = None
    imap_port: Port | None = None
    imap_tls: ImapTls | None = None
    imap_user: ImapUser | None = None
    imap_secret_ref: SecretRef | None = None
    imap_folder: Folder | None = None
    webhook_provider: Provider | None = None
    webhook_user: WebhookUser | None = None
    webhook_secret_ref: SecretRef | None = None


NULLABLE = {
    "queue_id", "acknowledgement_text", "imap_host", "imap_port", "imap_user",
    "imap_secret_ref", "webhook_provider", "webhook_user", "webhook_secret_ref",
}  # fmt: skip


class MailboxPath(BaseModel):
    mailbox_id: Id


class MailboxOut(BaseModel):
    """A mailbox's settings; secrets appear only as their references."""

    id: int
    address: str
    display_name: str
    queue_id: int | None
    acknowledge: bool
    language: str
    active: bool
    imap_host: str | None
    imap_port: int | None
    imap_tls: str
    imap_user: str | None
    imap_secret_ref: str | None
    imap_folder: str
    webhook_provider: str | None
    webhook_user: str | None
    webhook_secret_ref: str | None
    webhook_url: str | None = Field(
        description="the URL to give the provider (SendGrid: add /<key>, or basic auth)"
    )


class MailboxList(BaseModel):
    items: list[MailboxOut]


def _mailbox(row: Mailbox) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in MailboxOut.model_fields if name != "webhook_url"}
    url = None
    if row.webhook_provider:
        base = current_runtime().settings.public_base_url.rstrip("/")
        url = f"{base}/email/inbound/{row.webhook_provider}/{row.id}"
    return MailboxOut(**fields, webhook_url=url).model_dump()


def _check_settings(row: Mailbox) -> None:
    """What only makes sense together, checked on the mailbox as it will be saved."""
    if row.imap_host and not row.imap_secret_ref:
        raise ApiError(
            422, "missing_field", "imap_secret_ref is required to poll over IMAP", "imap_secret_ref"
        )
    if row.webhook_provider and not row.webhook_secret_ref:
        raise ApiError(
            422,
            "missing_field",
            f"webhook_secret_ref is required for a {row.webhook_provider} webhook",
            "webhook_secret_ref",
        )
    if row.webhook_provider == "postmark" and not row.webhook_user:
        raise ApiError(
            422,
            "missing_field",
            "Postmark's webhook needs a basic-auth webhook_user",
            "webhook_user",
        )


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
        row = Mailbox(**{**body.model_dump(), "address": address})
        _check_settings(row)
        session.add(row)
        session.flush()
        audit(session, "email.mailbox.create", "mailbox", row.id, {"address": address})
        return _mailbox(row), 201


@api.get("/mailboxes/<int:mailbox_id>", responses={200: MailboxOut, **ERRORS})
@require_api_role(Role.ADMIN)
def get_mailbox(path: MailboxPath) -> Any:
    with current_runtime().db.session() as session:
        return _mailbox(get_or_404(session, Mailbox, path.mailbox_id, "mailbox", "mailbox_id"))


@api.patch("/mailboxes/<int:mailbox_id>", responses={200: MailboxOut, **ERRORS})
@require_api_role(Role.ADMIN)
def update_mailbox(path: MailboxPath, body: MailboxPatch) -> Any:
    """Change a mailbox's settings, its IMAP polling and its provider webhook among them."""
    with current_runtime().db.session() as session:
        row = get_or_404(session, Mailbox, path.mailbox_id, "mailbox", "mailbox_id")
        changes = body.model_dump(exclude_unset=True)
        changes = {k: v for k, v in changes.items() if v is not None or k in NULLABLE}
        if changes.get("queue_id") is not None:
            get_or_404(session, Queue, changes["queue_id"], "queue", "queue_id")
        moved = any(k in changes and changes[k] != getattr(row, k) for k in RESET_POLLING)
        for key, value in changes.items():
            setattr(row, key, value)
        if moved:
            # Another server, account or folder: its UIDs are not the old ones; the poller
            # reads it from the start and the intake's Message-ID key keeps stored mail single.
            row.imap_uidvalidity, row.imap_last_uid = None, 0
        _check_settings(row)
        audit(session, "email.mailbox.update", "mailbox", row.id, {"fields": sorted(changes)})
        return _mailbox(row)
