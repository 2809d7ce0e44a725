"""SLA policies and what they measured: business-hour calendars with holidays, policies matched
by queue, channel and priority, each contact's clocks (rebuilt from interaction_events at any
time), the alerts sent to supervisors (each once) and the watch's place in the event log.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime, utcnow


class BusinessCalendar(Base):
    """Weekly opening hours in one IANA zone: {"mon": [["09:00", "17:00"]], ...}."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    holidays: Mapped[list[CalendarHoliday]] = relationship(
        back_populates="calendar",
        order_by="CalendarHoliday.day",
        cascade="all, delete-orphan",
    )


class CalendarHoliday(Base):
    """A local date the calendar is closed all day."""

    __tablename__ = "calendar_holidays"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("business_calendars.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(80), default="")

    calendar: Mapped[BusinessCalendar] = relationship(back_populates="holidays")


class SlaPolicyRow(Base):
    """Targets in business seconds for the contacts matching every field named (None: any);
    the most specific matching policy wins (routing.sla.match)."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("queues.id", ondelete="CASCADE"), default=None
    )
    channel: Mapped[str | None] = mapped_column(String(16), default=None)
    priority: Mapped[int | None] = mapped_column(Integer, default=None)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_calendars.id", ondelete="RESTRICT"), default=None
    )
    answer_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    first_response_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    resolution_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    warn_percent: Mapped[int] = mapped_column(Integer, default=80)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SlaClockRow(Base):
    """One target's clock on one contact, as routing.sla.clocks computed it from the events."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        Index("ix_sla_clocks_due", "due_at"),
        Index("ix_sla_clocks_status", "status"),
    )

    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True
    )
    target: Mapped[str] = mapped_column(String(16), primary_key=True)
    policy_id: Mapped[int | None] = mapped_column(Integer, default=None)
    queue_id: Mapped[int | None] = mapped_column(Integer, default=None)
    channel: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int | None] = mapped_column(Integer, default=None)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    status: Mapped[str] = mapped_column(String(12))  # running, met, breached, closed


class SlaAlert(Base):
    """A warning or breach alert for one contact's target: written before it is sent, marked
    when sent, so each is sent once whatever is killed when (contactcentre.reporting.sla_alerts)."""

    __tablename__ = "sla_alerts"
    __table_args__ = (UniqueConstraint("interaction_id", "target", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[str] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))  # warning, breach
    policy_id: Mapped[int | None] = mapped_column(Integer, default=None)
    queue_id: Mapped[int | None] = mapped_column(Integer, default=None)
    channel: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class SlaWatermark(Base):
    """How far the SLA watch has read the event log, the ids not seen yet (PostgreSQL hands ids
    out before commit), and the policies' fingerprint its clocks were computed under."""

    __tablename__ = "sla_watermarks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    gaps: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policies: Mapped[str] = mapped_column(String(64), default="")
    watched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
