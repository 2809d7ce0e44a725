"""Outbound campaigns, their lead lists and leads, do-not-call entries, dial attempts, imports.

The rows the pure dialer core (routing.dialer) reads through contactcentre.dialer's adapters;
a campaign's compliance settings are validated by routing.dialer.policy before they are stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime, utcnow


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("mode in ('preview', 'progressive', 'power', 'predictive')", name="mode"),
        CheckConstraint("status in ('draft', 'active', 'paused', 'stopped')", name="status"),
        CheckConstraint("jurisdiction in ('us', 'uk')", name="jurisdiction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    mode: Mapped[str] = mapped_column(String(16), default="progressive")
    dial_ratio: Mapped[float] = mapped_column(Float, default=1.0)  # power mode's calls per agent
    status: Mapped[str] = mapped_column(String(16), default="draft")
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="RESTRICT"), default=None
    )
    caller_id: Mapped[str] = mapped_column(String(16))  # E.164
    jurisdiction: Mapped[str] = mapped_column(String(4), default="us")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")  # where "today" starts
    window_start: Mapped[str] = mapped_column(String(8), default="08:00:00")  # local time
    window_end: Mapped[str] = mapped_column(String(8), default="21:00:00")
    max_attempts: Mapped[int] = mapped_column(Integer, default=6)
    # {outcome: seconds}, every routing.dialer.policy.RetryOutcome.
    retry_delays: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ring_timeout_seconds: Mapped[float] = mapped_column(Float, default=25.0)
    min_ring_seconds: Mapped[float] = mapped_column(Float, default=15.0)
    connect_seconds: Mapped[float] = mapped_column(Float, default=2.0)
    abandon_limit: Mapped[float] = mapped_column(Float, default=0.03)
    require_consent: Mapped[bool] = mapped_column(Boolean, default=True)
    # routing.dialer.legal.LegalOverride records, each written with its audit entry.
    legal_overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{code, label, do_not_call, final, retry_after_seconds}]: the campaign's own codes.
    dispositions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    script: Mapped[str] = mapped_column(Text, default="")
    # [{name, label}]: the leads' custom fields the screen pop shows, in this order.
    custom_fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    hopper_size: Mapped[int] = mapped_column(Integer, default=100)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeadList(Base):
    __tablename__ = "lead_lists"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    priority: Mapped[int] = mapped_column(Integer, default=5)  # higher lists dial first
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Lead(Base):
    __tablename__ = "leads"
    # One number once per campaign, whichever of its lists brought it: the database holds
    # the cross-list dedup, so two concurrent imports cannot both add it.
    __table_args__ = (
        UniqueConstraint("campaign_id", "number"),
        Index("ix_leads_list_order", "list_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(ForeignKey("lead_lists.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(16), index=True)  # E.164
    time_zones: Mapped[list[str]] = mapped_column(JSON, default=list)  # candidates, may be []
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)  # expected value: highest first
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    custom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_row: Mapped[int] = mapped_column(Integer)  # the CSV row it came from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DncEntryRow(Base):
    """One number on one do-not-call list (routing.dialer.suppression.DncEntry)."""

    __tablename__ = "dnc_entries"
    __table_args__ = (
        CheckConstraint("scope in ('internal', 'campaign', 'national')", name="scope"),
        CheckConstraint("(scope = 'campaign') = (campaign_id IS NOT NULL)", name="campaign_scope"),
        # NULLs are distinct in a unique constraint: list_key ("internal", "national",
        # "campaign:7") names the list so each number is on each list at most once.
        UniqueConstraint("number", "list_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), default=None
    )
    list_key: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DialAttemptRow(Base):
    """One call placed to a lead (routing.dialer.attempts.DialAttemptRecord)."""

    __tablename__ = "dial_attempts"
    __table_args__ = (
        CheckConstraint(
            "result in ('human', 'machine', 'busy', 'no_answer', 'failed', 'canceled')",
            name="result",
        ),
        Index("ix_dial_attempts_lead", "lead_id", "placed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(16), index=True)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    greeting_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    agent_connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    amd_used: Mapped[bool] = mapped_column(Boolean, default=False)
    amd_false_positive: Mapped[bool] = mapped_column(Boolean, default=False)
    disposition: Mapped[str | None] = mapped_column(String(40), default=None)


class LeadImport(Base):
    """One CSV upload's outcome, kept whether it was imported or rejected, with its errors."""

    __tablename__ = "lead_imports"
    __table_args__ = (
        CheckConstraint("status in ('imported', 'rejected')", name="status"),
        CheckConstraint("mode in ('all_or_nothing', 'skip_bad_rows')", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    list_id: Mapped[int | None] = mapped_column(
        ForeignKey("lead_lists.id", ondelete="SET NULL"), default=None
    )
    list_name: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(255), default="")
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    # [{row, field, reason}], at most lists.MAX_REPORTED_ERRORS (errors_total counts them all).
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    errors_total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
