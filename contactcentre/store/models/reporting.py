"""Reporting's tables, all rebuilt from interaction_events at any time: one row per contact
(its projection and its Tally) and 15-minute interval roll-ups of those tallies per queue, agent,
channel and disposition, with the watermark of the incremental roll-up.

A figure over any range is its definition applied to the sum of these tallies (routing/tally.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime

INTERVAL_SECONDS = 900


class TallyColumns:
    """routing.tally.Tally's fields, one integer column each (milliseconds for durations)."""

    queued: Mapped[int] = mapped_column(BigInteger, default=0)
    answered: Mapped[int] = mapped_column(BigInteger, default=0)
    answered_in_target: Mapped[int] = mapped_column(BigInteger, default=0)
    answer_wait_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    abandoned: Mapped[int] = mapped_column(BigInteger, default=0)
    abandoned_in_target: Mapped[int] = mapped_column(BigInteger, default=0)
    abandon_wait_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    short_abandoned: Mapped[int] = mapped_column(BigInteger, default=0)
    callbacks: Mapped[int] = mapped_column(BigInteger, default=0)
    left_in_target: Mapped[int] = mapped_column(BigInteger, default=0)
    handled: Mapped[int] = mapped_column(BigInteger, default=0)
    talk_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    hold_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    acw_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    transferred: Mapped[int] = mapped_column(BigInteger, default=0)
    rated: Mapped[int] = mapped_column(BigInteger, default=0)
    satisfied: Mapped[int] = mapped_column(BigInteger, default=0)
    effort_rated: Mapped[int] = mapped_column(BigInteger, default=0)
    effort_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    first_responses: Mapped[int] = mapped_column(BigInteger, default=0)
    first_response_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    next_responses: Mapped[int] = mapped_column(BigInteger, default=0)
    next_response_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    resolved_contacts: Mapped[int] = mapped_column(BigInteger, default=0)
    resolution_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    disposed: Mapped[int] = mapped_column(BigInteger, default=0)
    resolved_first_contact: Mapped[int] = mapped_column(BigInteger, default=0)
    callback_contacts: Mapped[int] = mapped_column(BigInteger, default=0)
    callbacks_kept: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportContact(TallyColumns, Base):
    """One contact as reporting measured it, in the interval it is counted in (when it queued,
    else when it arrived); the row of the one-row-per-interaction export."""

    __tablename__ = "report_contacts"
    __table_args__ = (
        Index("ix_report_contacts_interval", "interval_start"),
        # The abandon profile: a range's abandoned contacts and their waits, from the index.
        Index("ix_report_contacts_outcome", "outcome", "interval_start", "wait_ms"),
    )

    interaction_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(16))
    queue_id: Mapped[int | None] = mapped_column(Integer, default=None)
    agent_id: Mapped[int | None] = mapped_column(Integer, default=None)
    campaign_id: Mapped[str | None] = mapped_column(String(64), default=None)
    customer_id: Mapped[int | None] = mapped_column(Integer, default=None)
    outcome: Mapped[str] = mapped_column(String(16))  # answered, abandoned, callback, waiting...
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    wait_ms: Mapped[int | None] = mapped_column(BigInteger, default=None)
    disposition: Mapped[str | None] = mapped_column(String(40), default=None)
    csat: Mapped[int | None] = mapped_column(Integer, default=None)
    ces: Mapped[int | None] = mapped_column(Integer, default=None)
    callback_for: Mapped[str | None] = mapped_column(String(36), default=None)


class ReportQueueInterval(TallyColumns, Base):
    """A queue's 15 minutes on one channel (campaign for outbound; none yet)."""

    __tablename__ = "report_queue_intervals"
    __table_args__ = (Index("ix_report_queue_intervals_interval", "interval_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    queue_id: Mapped[int | None] = mapped_column(Integer, default=None)
    channel: Mapped[str] = mapped_column(String(16))
    campaign_id: Mapped[str | None] = mapped_column(String(64), default=None)


class ReportAgentInterval(TallyColumns, Base):
    """The contacts an agent handled last, by the interval each is counted in."""

    __tablename__ = "report_agent_intervals"
    __table_args__ = (Index("ix_report_agent_intervals_interval", "interval_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    agent_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))


class ReportChannelInterval(TallyColumns, Base):
    """A channel's 15 minutes over every queue (and contacts that never queued)."""

    __tablename__ = "report_channel_intervals"
    __table_args__ = (Index("ix_report_channel_intervals_interval", "interval_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(16))
    campaign_id: Mapped[str | None] = mapped_column(String(64), default=None)


class ReportDispositionInterval(TallyColumns, Base):
    """Contacts by their final disposition code, per queue and channel."""

    __tablename__ = "report_disposition_intervals"
    __table_args__ = (Index("ix_report_disposition_intervals_interval", "interval_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    queue_id: Mapped[int | None] = mapped_column(Integer, default=None)
    channel: Mapped[str] = mapped_column(String(16))
    disposition: Mapped[str] = mapped_column(String(40))


class ReportWatermark(Base):
    """How far the incremental roll-up has read the event log, and the ids it has not seen yet
    (an id a slower transaction may still commit: PostgreSQL hands ids out before commit)."""

    __tablename__ = "report_watermarks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # {"<event id>": <epoch seconds first missed>}: looked for again until the grace passes.
    gaps: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
