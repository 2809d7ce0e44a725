"""Customer value over time: one CLV and segment per customer per calendar quarter, and the
alert raised once when a customer's CLV fell in each of the last two quarters.

Kept when a customer is erased, like the CLV and segment on the customer row (privacy.py):
amounts and a segment say nothing about who the person was.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime, utcnow

Money = Numeric(12, 2)


class CustomerValueSnapshot(Base):
    """The customer's CLV and segment at the quarter's latest change (or at its end, from the
    quarter-end snapshot when nothing changed). `quarter` is year * 4 + quarter - 1
    (routing.customer_risk.Quarter.index), so quarters sort and subtract as integers."""

    __tablename__ = "customer_value_history"
    __table_args__ = (UniqueConstraint("customer_id", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    quarter: Mapped[int] = mapped_column(Integer)
    clv: Mapped[Decimal] = mapped_column(Money)
    segment: Mapped[str] = mapped_column(String(24))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerValueAlert(Base):
    """CLV fell in each of the last two quarters: written once per customer and quarter (the
    unique key), in the transaction that wrote the snapshot showing the second fall."""

    __tablename__ = "customer_value_alerts"
    __table_args__ = (UniqueConstraint("customer_id", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    quarter: Mapped[int] = mapped_column(Integer)
    clv_two_quarters_ago: Mapped[Decimal] = mapped_column(Money)
    clv_last_quarter: Mapped[Decimal] = mapped_column(Money)
    clv_now: Mapped[Decimal] = mapped_column(Money)
    segment: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set once the supervisors' room was told (customers.value_alerts, sent once like SLA alerts).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
