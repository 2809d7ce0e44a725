"""Interactions (one per customer contact, any channel), their append-only event log and messages.

Every metric is computed from interaction_events; rows there are never updated or deleted.
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime, utcnow

CHANNELS = ("voice", "chat", "email", "outbound")
# BIGINT on PostgreSQL, INTEGER on SQLite (which only autoincrements INTEGER PRIMARY KEY).
EventId = BigInteger().with_variant(Integer(), "sqlite")


class Disposition(Base):
    """A wrap-up outcome code an agent must choose when a contact ends."""

    __tablename__ = "dispositions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    resolved: Mapped[bool] = mapped_column(Boolean, default=True)  # counts toward FCR
    requires_note: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        CheckConstraint("channel in ('voice', 'chat', 'email', 'outbound')", name="channel"),
        UniqueConstraint("channel", "external_id"),
        Index("ix_interactions_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID, minted by any process
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8), default="inbound")
    status: Mapped[str] = mapped_column(String(24), default="created")
    external_id: Mapped[str | None] = mapped_column(String(64), default=None)  # CallSid, chat id
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True, default=None
    )
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="SET NULL"), default=None
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), index=True, default=None
    )
    from_address: Mapped[str | None] = mapped_column(String(254), default=None)  # PII
    to_address: Mapped[str | None] = mapped_column(String(254), default=None)
    subject: Mapped[str | None] = mapped_column(String(255), default=None)
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    disposition_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispositions.id", ondelete="SET NULL"), default=None
    )
    wrap_up_notes: Mapped[str | None] = mapped_column(Text, default=None)  # PII
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    events: Mapped[list[InteractionEvent]] = relationship(
        back_populates="interaction", order_by="InteractionEvent.id", viewonly=True
    )


class WrapUp(Base):
    """One agent's after-call work on a contact: a contact transferred between agents has one
    per agent who handled it; the interaction's disposition is the latest of them."""

    __tablename__ = "wrap_ups"
    __table_args__ = (UniqueConstraint("interaction_id", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    disposition_id: Mapped[int | None] = mapped_column(
        ForeignKey("dispositions.id", ondelete="SET NULL"), default=None
    )
    notes: Mapped[str | None] = mapped_column(Text, default=None)  # PII
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InteractionEvent(Base):
    """One thing that happened to an interaction, written once (idempotency key)."""

    __tablename__ = "interaction_events"
    __table_args__ = (Index("ix_interaction_events_occurred", "interaction_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="RESTRICT"))
    type: Mapped[str] = mapped_column(String(32), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(64), default=None)  # "agent:12", "router"
    # No PII here (ids and measurements only), so erasure never has to touch the log.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    interaction: Mapped[Interaction] = relationship(back_populates="events")


class Message(Base):
    """A chat or email message of an interaction; bodies are personal data.

    Chat messages are numbered per interaction (`seq`, from the conversation's counter) so a
    reconnecting party asks for "everything after n"; `client_id` makes a resent message a no-op.
    """

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("interaction_id", "seq", name="uq_messages_seq"),
        UniqueConstraint("interaction_id", "sender", "client_id", name="uq_messages_client_id"),
        CheckConstraint("visibility in ('all', 'agents')", name="visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(8))  # in / out / internal
    sender: Mapped[str] = mapped_column(String(64))  # "customer", "agent:12", "bot"
    body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    seq: Mapped[int | None] = mapped_column(Integer, default=None)
    # "agents": a supervisor's whisper, never shown to the customer nor in their transcript.
    visibility: Mapped[str] = mapped_column(String(8), default="all")
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    # Presentation extras, e.g. the bot's quick replies: [{"label": ..., "value": ...}].
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
