"""Customers: profile, contact points, consent, CLV inputs and value segment.

Phones are stored normalised to E.164 so any format of the same number finds the customer.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactcentre.store.models.base import Base
from contactcentre.store.types import UTCDateTime, utcnow

Money = Numeric(12, 2)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Basic data
    first_name: Mapped[str | None] = mapped_column(String(80), default=None)
    last_name: Mapped[str | None] = mapped_column(String(80), default=None)
    language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    birth_date: Mapped[date | None] = mapped_column(Date, default=None)
    gender: Mapped[str | None] = mapped_column(String(24), default=None)
    marital_status: Mapped[str | None] = mapped_column(String(24), default=None)
    household_size: Mapped[int | None] = mapped_column(Integer, default=None)
    occupation: Mapped[str | None] = mapped_column(String(120), default=None)
    postcode: Mapped[str | None] = mapped_column(String(16), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    account_number: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    # Behavioural data (purchase history summary) and CLV inputs from DOMAIN.md
    average_purchase_value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    purchases_per_year: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("0"))
    relationship_years: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("0"))
    average_bill: Mapped[Decimal | None] = mapped_column(Money, default=None)
    account_balance: Mapped[Decimal | None] = mapped_column(Money, default=None)
    last_order_status: Mapped[str | None] = mapped_column(String(120), default=None)
    cancellations: Mapped[int] = mapped_column(Integer, default=0)
    service_calls: Mapped[int] = mapped_column(Integer, default=0)
    warranty_until: Mapped[date | None] = mapped_column(Date, default=None)
    # Derived from the inputs above; stored so routing and reports can filter on it.
    clv: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    segment: Mapped[str] = mapped_column(String(24), default="basic", index=True)
    # Attitudinal data and retention
    at_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    retention_offer: Mapped[str | None] = mapped_column(String(255), default=None)
    satisfaction: Mapped[int | None] = mapped_column(Integer, default=None)  # last CSAT 1-5
    # Consent (explicit, timestamped)
    consent_marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_recording: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    phones: Mapped[list[CustomerPhone]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="CustomerPhone.id",
    )
    emails: Mapped[list[CustomerEmail]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="CustomerEmail.id",
    )
    notes: Mapped[list[CustomerNote]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerNote.id"
    )

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or f"Customer #{self.id}"


class CustomerPhone(Base):
    __tablename__ = "customer_phones"
    __table_args__ = (UniqueConstraint("customer_id", "e164"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(20), index=True)
    label: Mapped[str] = mapped_column(String(16), default="mobile")
    primary: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="phones")


class CustomerEmail(Base):
    __tablename__ = "customer_emails"
    __table_args__ = (UniqueConstraint("customer_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(254), index=True)  # stored lower-case
    primary: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="emails")


class CustomerNote(Base):
    __tablename__ = "customer_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    author_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    body: Mapped[str] = mapped_column(Text)
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="notes")
