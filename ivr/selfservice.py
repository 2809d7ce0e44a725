"""Self-service without an agent: account balance, order status and callback booking.
The ports reach the back office; this module turns their answers into words per language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from ivr.actions import Scalar


@dataclass(frozen=True)
class Balance:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(
                f"Balance.currency must be an ISO code like USD, got {self.currency!r}"
            )


@dataclass(frozen=True)
class OrderStatus:
    """An order as the IVR may read it out; `customer_id` is its owner (checked before reading)."""

    order_id: str
    status: str
    placed_on: date | None = None
    customer_id: str | None = None


@dataclass(frozen=True)
class CallbackSlot:
    slot_id: str
    start: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("CallbackSlot.start must be timezone-aware")


class AccountService(Protocol):
    """Port: read-only account look-ups in the back office."""

    def balance(self, customer_id: str) -> Balance | None: ...

    def last_order(self, customer_id: str) -> OrderStatus | None: ...

    def order(self, order_number: str) -> OrderStatus | None:
        """The order with this number, whoever owns it (the caller checks ownership)."""
        ...


class CallbackScheduler(Protocol):
    """Port: callback slots offered to callers and booked for them."""

    def offer_slots(
        self, customer_id: str | None, number: str, now: datetime, limit: int
    ) -> list[CallbackSlot]: ...

    def book(self, slot_id: str, number: str, customer_id: str | None) -> bool: ...


def balance_values(balance: Balance, language: str) -> dict[str, Scalar]:
    return {"balance": format_amount(balance.amount, language), "currency": balance.currency}


def order_values(order: OrderStatus, language: str) -> dict[str, Scalar]:
    placed = format_date(order.placed_on, language) if order.placed_on else ""
    return {"order_id": order.order_id, "order_status": order.status, "order_date": placed}


def format_amount(amount: Decimal, language: str) -> str:
    """1234.5 reads "1,234.50" in English and "1.234,50" in Spanish."""
    text = f"{amount:,.2f}"
    if language == "es":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
_MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ),
}  # fmt: skip


def format_date(day: date, language: str) -> str:
    lang = language if language in _MONTHS else "en"
    weekday, month = _WEEKDAYS[lang][day.weekday()], _MONTHS[lang][day.month - 1]
    if lang == "es":
        return f"{weekday} {day.day} de {month}"
    return f"{weekday}, {month} {day.day}"


def format_slot(start: datetime, timezone: str, language: str) -> str:
    """A slot as spoken, in the business's time zone: "Tuesday, January 14 at 10:30"."""
    local = start.astimezone(ZoneInfo(timezone))
    when = format_date(local.date(), language)
    joiner = "a las" if language == "es" else "at"
    return f"{when} {joiner} {local:%H:%M}"
