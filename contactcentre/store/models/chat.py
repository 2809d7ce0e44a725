"""Web chat: the sites that embed the widget, conversations, attachments, canned responses, CSAT.

A conversation is one chat interaction; its messages are rows of `messages` numbered by `seq`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime, utcnow

CONVERSATION_STATUSES = ("bot", "queued", "active", "closed", "left_message")


class ChatSite(Base):
    """A website that embeds the widget: its public key, the origins allowed to use it, its look."""

    __tablename__ = "chat_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    widget_key: Mapped[str] = mapped_column(String(40), unique=True)  # public, in the script tag
    # Exact origins ("https://shop.example.com"); the widget refuses to run anywhere else.
    allowed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Chats from this site go here unless the bot or a plan says otherwise (None = routing plans).
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL"), default=None
    )
    bot_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # {"timezone": "Europe/London", "days": {"mon": ["09:00", "17:00"], ...}}; {} = always open.
    business_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # {"primary": "#1f6feb", "text": "#ffffff", "title": "Chat with us"}; fonts come from the site.
    theme: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatConversation(Base):
    """One visitor's chat; the signed token names it and its nonce (rotated to revoke tokens)."""

    __tablename__ = "chat_conversations"
    __table_args__ = (
        CheckConstraint(
            "status in ('bot', 'queued', 'active', 'closed', 'left_message')", name="status"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    site_id: Mapped[int] = mapped_column(ForeignKey("chat_sites.id", ondelete="RESTRICT"))
    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("interactions.id", ondelete="RESTRICT"), unique=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True, default=None
    )
    visitor_id: Mapped[str] = mapped_column(String(64), index=True)  # per browser, for limits
    visitor_name: Mapped[str | None] = mapped_column(String(120), default=None)  # PII
    visitor_email: Mapped[str | None] = mapped_column(String(254), default=None)  # PII
    topic: Mapped[str | None] = mapped_column(String(64), default=None)
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="bot")
    token_nonce: Mapped[str] = mapped_column(String(32))
    # Highest message seq given out; rows are numbered under a lock on this row.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    customer_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    agent_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    customer_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_by: Mapped[str | None] = mapped_column(String(16), default=None)  # customer/agent/...


class ChatAttachment(Base):
    """A file sent in a chat, stored outside the web root under `storage_key`."""

    __tablename__ = "chat_attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, unguessable
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("chat_conversations.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(64))  # "customer", "agent:12"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CannedResponse(Base):
    """A reply agents insert with one pick; {customer_name}, {agent_name}, {order_number}."""

    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), default=None
    )  # None = every queue
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CsatRating(Base):
    """A customer's 1-5 rating of a contact (CSAT = ratings 4-5 / all ratings)."""

    __tablename__ = "csat_ratings"
    __table_args__ = (CheckConstraint("score between 1 and 5", name="score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), unique=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True, default=None
    )
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, default=None)  # PII
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
