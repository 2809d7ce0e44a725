"""The email channel's records: mailboxes, every inbound message as it arrived (raw bytes first),
quarantine, threads, the Message-IDs that thread them, attachments, bounces, outbound mail, rules.

Raw bytes live in the database, not in files: one commit makes a message both stored and known,
so the SMTP listener's 250 waits for one durable write and a kill -9 leaves no orphan file and no
row pointing at a missing one (docs/email.md says why at more length).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime, utcnow

INBOUND_STATUSES = ("received", "processed", "quarantined")
IMAP_TLS_MODES = ("ssl", "starttls", "none")
WEBHOOK_PROVIDERS = ("sendgrid", "mailgun", "postmark")
RULE_FIELDS = ("sender", "domain", "subject", "body", "language")


class Mailbox(Base):
    """An address customers write to; its queue is where new threads go unless a rule says."""

    __tablename__ = "email_mailboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)  # lower-case
    display_name: Mapped[str] = mapped_column(String(120), default="")
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL"), default=None
    )
    acknowledge: Mapped[bool] = mapped_column(Boolean, default=True)
    # None: the default acknowledgement text (contactcentre/email/acknowledgement.py).
    acknowledgement_text: Mapped[str | None] = mapped_column(Text, default=None)
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # IMAP polling (contactcentre/email/imap_poller.py); no host: the mailbox is not polled.
    imap_host: Mapped[str | None] = mapped_column(String(255), default=None)
    imap_port: Mapped[int | None] = mapped_column(Integer, default=None)  # None: 993 or 143
    imap_tls: Mapped[str] = mapped_column(String(8), default="ssl")  # IMAP_TLS_MODES
    imap_user: Mapped[str | None] = mapped_column(String(254), default=None)
    # A reference, never the password: "env:NAME" or "file:/path" (email.secrets.secret_for).
    imap_secret_ref: Mapped[str | None] = mapped_column(String(255), default=None)
    imap_folder: Mapped[str] = mapped_column(String(255), default="INBOX")
    # Where the poller is: the folder's UIDVALIDITY and the highest UID stored under it. The
    # \Seen flag is never used (people read the mailbox too), and never set (BODY.PEEK).
    imap_uidvalidity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    imap_last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    # A provider's inbound webhook (contactcentre/email/webhooks.py); None: no webhook. The
    # secret is a reference like imap_secret_ref: SendGrid's URL key or basic-auth password,
    # Mailgun's webhook signing key, Postmark's basic-auth password.
    webhook_provider: Mapped[str | None] = mapped_column(String(16), default=None)
    webhook_user: Mapped[str | None] = mapped_column(String(254), default=None)  # basic auth
    webhook_secret_ref: Mapped[str | None] = mapped_column(String(255), default=None)


class EmailThread(Base):
    """One conversation by email: one interaction, one reference number customers can quote."""

    __tablename__ = "email_threads"
    __table_args__ = (
        Index("ix_email_threads_sender_subject", "mailbox_id", "customer_address", "subject_key"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("email_mailboxes.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # "CC-7K3M9Q"
    interaction_id: Mapped[str | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"), unique=True, default=None
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None
    )
    customer_address: Mapped[str] = mapped_column(String(254))  # PII
    subject_key: Mapped[str] = mapped_column(String(255), default="")  # normalised subject
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # Set once the router was sent the task; a thread without it is submitted again (the
    # engine ignores a task submitted twice), so a kill between commit and send loses nothing.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboundEmail(Base):
    """A message as it arrived, stored before anything else is done with it.

    Once per (mailbox, Message-ID) and once per provider event id; `message_key` is the
    Message-ID, or a hash of the bytes when there is none.
    """

    __tablename__ = "email_inbound"
    __table_args__ = (
        UniqueConstraint("mailbox_id", "message_key", name="uq_email_inbound_message_key"),
        UniqueConstraint("source", "provider_event_id", name="uq_email_inbound_event"),
        CheckConstraint("status in ('received', 'processed', 'quarantined')", name="status"),
        Index("ix_email_inbound_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("email_mailboxes.id", ondelete="CASCADE"))
    message_key: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(16))  # smtp, imap, sendgrid, mailgun, postmark
    provider_event_id: Mapped[str | None] = mapped_column(String(128), default=None)
    envelope_from: Mapped[str | None] = mapped_column(String(254), default=None)  # PII
    raw: Mapped[bytes] = mapped_column(LargeBinary)  # PII
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="received")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # What parsing found (None until processed).
    kind: Mapped[str | None] = mapped_column(String(16), default=None)  # customer, auto_reply, ...
    from_address: Mapped[str | None] = mapped_column(String(254), default=None)  # PII
    subject: Mapped[str | None] = mapped_column(String(255), default=None)  # PII
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    text_body: Mapped[str | None] = mapped_column(Text, default=None)  # PII
    html_body: Mapped[str | None] = mapped_column(Text, default=None)  # sanitised; PII
    reply_text: Mapped[str | None] = mapped_column(Text, default=None)  # PII
    quoted_text: Mapped[str | None] = mapped_column(Text, default=None)  # PII
    signature: Mapped[str | None] = mapped_column(Text, default=None)  # PII
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # headers that decided
    thread_id: Mapped[str | None] = mapped_column(
        ForeignKey("email_threads.id", ondelete="SET NULL"), default=None
    )


class EmailQuarantine(Base):
    """A message that could not be parsed: kept with the reason, for an administrator."""

    __tablename__ = "email_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int] = mapped_column(
        ForeignKey("email_inbound.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(String(64))  # a stable code
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmailMessageId(Base):
    """A Message-ID we know (sent by us or received), and the thread it belongs to."""

    __tablename__ = "email_message_ids"
    __table_args__ = (UniqueConstraint("mailbox_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("email_mailboxes.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(255))
    thread_id: Mapped[str] = mapped_column(ForeignKey("email_threads.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))  # in / out
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmailAttachment(Base):
    """One attachment of an inbound message: its content stays in the raw message; refused
    ones (too large, type not allowed) are listed with the reason."""

    __tablename__ = "email_attachments"
    __table_args__ = (UniqueConstraint("inbound_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int] = mapped_column(ForeignKey("email_inbound.id", ondelete="CASCADE"))
    part: Mapped[str] = mapped_column(String(32))  # the MIME part's path, "1.2"
    filename: Mapped[str] = mapped_column(String(255), default="")  # PII
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    accepted: Mapped[bool] = mapped_column(Boolean)
    refusal: Mapped[str | None] = mapped_column(String(64), default=None)


class EmailBounce(Base):
    """A delivery status notification's verdict on one of our recipients' addresses."""

    __tablename__ = "email_bounces"
    __table_args__ = (UniqueConstraint("inbound_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int] = mapped_column(ForeignKey("email_inbound.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(254), index=True)  # PII
    action: Mapped[str] = mapped_column(String(16))  # failed, delayed, ...
    status: Mapped[str] = mapped_column(String(16), default="")  # "5.1.1"
    diagnostic: Mapped[str] = mapped_column(Text, default="")
    thread_id: Mapped[str | None] = mapped_column(
        ForeignKey("email_threads.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboundEmail(Base):
    """A message we send (an acknowledgement, a reply): written before it is sent, with the
    Message-ID it will carry, so a resend after a crash is the same message."""

    __tablename__ = "email_outbound"
    __table_args__ = (
        CheckConstraint("status in ('queued', 'sending', 'sent', 'failed')", name="status"),
        Index("ix_email_outbound_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[str] = mapped_column(ForeignKey("email_threads.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))  # acknowledgement, reply
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))  # PII
    subject: Mapped[str] = mapped_column(String(255))  # PII
    text_body: Mapped[str] = mapped_column(Text)  # PII
    in_reply_to: Mapped[str | None] = mapped_column(String(255), default=None)
    references: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class EmailRule(Base):
    """A categorisation rule: when `field` matches `pattern`, the thread gets this queue,
    category (the task's intent), skill and priority. Rules apply in `position` order; the
    first match wins."""

    __tablename__ = "email_rules"
    __table_args__ = (
        CheckConstraint(
            "field in ('sender', 'domain', 'subject', 'body', 'language')", name="field"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("email_mailboxes.id", ondelete="CASCADE"), default=None
    )  # None: every mailbox
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80))
    field: Mapped[str] = mapped_column(String(16))
    # sender, domain, language: exact (any case); subject, body: any of the comma-separated words.
    pattern: Mapped[str] = mapped_column(String(255))
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL"), default=None
    )
    category: Mapped[str | None] = mapped_column(String(64), default=None)
    skill: Mapped[str | None] = mapped_column(String(64), default=None)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
