"""Adapters for the IVR engine's ports: customers and accounts from SQL, callback slots in Redis.

Built per webhook around that request's database session; the engine never sees ORM objects.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.customers.lookup import find_by_phone
from contactcentre.store.models import Customer, CustomerEmail, CustomerNote, Order
from ivr import Balance, CallbackSlot, CustomerSummary, OrderStatus, Ports

SLOT_KEY = "cc:voice:callback-slot:"
SLOT_CAPACITY = 3  # callbacks an hour's slot can take (agents free for outbound callbacks)
SLOT_TTL_SECONDS = 14 * 24 * 3600


def customer_summary(session: Session, customer: Customer) -> CustomerSummary:
    name = " ".join(p for p in (customer.first_name, customer.last_name) if p) or "customer"
    open_cases = len(
        session.scalars(
            select(CustomerNote.id).where(
                CustomerNote.customer_id == customer.id, CustomerNote.open.is_(True)
            )
        ).all()
    )
    return CustomerSummary(str(customer.id), name, customer.segment, open_cases)


class SqlCustomerDirectory:
    def __init__(self, session: Session, region: str) -> None:
        self._session, self._region = session, region

    def find_by_phone(self, number: str) -> CustomerSummary | None:
        found = find_by_phone(self._session, number, self._region) if number else []
        return customer_summary(self._session, found[0]) if found else None

    def find_by_account(self, account_number: str) -> CustomerSummary | None:
        customer = self._session.scalars(
            select(Customer).where(
                Customer.account_number == account_number, Customer.erased_at.is_(None)
            )
        ).first()
        return None if customer is None else customer_summary(self._session, customer)

    def has_email(self, customer_id: str, address: str) -> bool:
        if not customer_id.isdigit() or not address.strip():
            return False
        found = self._session.scalar(
            select(CustomerEmail.id)
            .join(Customer)
            .where(
                CustomerEmail.customer_id == int(customer_id),
                CustomerEmail.address == address.strip().lower(),
                Customer.erased_at.is_(None),
            )
        )
        return found is not None


def _order_status(order: Order) -> OrderStatus:
    return OrderStatus(
        order.order_number, order.status, order.placed_at.date(), str(order.customer_id)
    )


class SqlAccountService:
    def __init__(self, session: Session, currency: str = "USD") -> None:
        self._session, self._currency = session, currency

    def _customer(self, customer_id: str) -> Customer | None:
        return self._session.get(Customer, int(customer_id)) if customer_id.isdigit() else None

    def balance(self, customer_id: str) -> Balance | None:
        customer = self._customer(customer_id)
        if customer is None or customer.account_balance is None:
            return None
        return Balance(Decimal(customer.account_balance), self._currency)

    def last_order(self, customer_id: str) -> OrderStatus | None:
        customer = self._customer(customer_id)
        if customer is None or customer.erased_at is not None:
            return None
        latest = self._session.scalars(
            select(Order)
            .where(Order.customer_id == customer.id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
        ).first()
        if latest is not None:
            return _order_status(latest)
        if not customer.last_order_status:
            return None
        # Customers from before the orders table: only the status summary is known.
        return OrderStatus(customer.account_number or str(customer.id), customer.last_order_status)

    def order(self, order_number: str) -> OrderStatus | None:
        found = self._session.scalars(
            select(Order)
            .join(Customer)
            .where(Order.order_number == order_number.strip(), Customer.erased_at.is_(None))
        ).first()
        return None if found is None else _order_status(found)


class RedisCallbackScheduler:
    """Hourly slots from the next full hour; each slot takes SLOT_CAPACITY bookings."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def offer_slots(
        self, customer_id: str | None, number: str, now: datetime, limit: int
    ) -> list[CallbackSlot]:
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        slots = []
        for hour in range(48):
            when = start + timedelta(hours=hour)
            slot_id = when.strftime("%Y%m%dT%H%M%z")
            taken = int(self._redis.scard(SLOT_KEY + slot_id))
            if taken < SLOT_CAPACITY:
                slots.append(CallbackSlot(slot_id, when))
            if len(slots) == limit:
                break
        return slots

    def book(self, slot_id: str, number: str, customer_id: str | None) -> bool:
        key = SLOT_KEY + slot_id
        if int(self._redis.scard(key)) >= SLOT_CAPACITY:
            return False
        self._redis.sadd(key, customer_id or number)
        self._redis.expire(key, SLOT_TTL_SECONDS)
        return True


def ivr_ports(session: Session, client: redis.Redis, region: str) -> Ports:
    return Ports(
        SqlCustomerDirectory(session, region),
        SqlAccountService(session),
        RedisCallbackScheduler(client),
    )
