"""In-memory fakes of the IVR ports, and a builder for the engine over the default flow.
Pure classes implementing the Protocols, so the unit tests need no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ivr import (
    Balance,
    CallbackSlot,
    CustomerSummary,
    Flow,
    FlowEngine,
    FlowError,
    Gather,
    OrderStatus,
    Ports,
    Say,
    SessionInputs,
    Step,
    load_flow,
)
from ivr.validate import build_flow

NEW_YORK = ZoneInfo("America/New_York")
MAIN_FLOW = Path(__file__).parents[3] / "config" / "ivr" / "main.yaml"

# A Tuesday at 10:00 in New York: the default flow is open.
OPEN_TIME = datetime(2025, 3, 11, 10, 0, tzinfo=NEW_YORK)

GOLD_CALLER = "+15551230001"
STANDARD_CALLER = "+15551230002"
UNKNOWN_CALLER = "+15559999999"


@dataclass
class FakeDirectory:
    by_phone: dict[str, CustomerSummary] = field(default_factory=dict)
    by_account: dict[str, CustomerSummary] = field(default_factory=dict)
    emails: dict[str, set[str]] = field(default_factory=dict)  # customer id -> addresses

    def find_by_phone(self, number: str) -> CustomerSummary | None:
        return self.by_phone.get(number)

    def find_by_account(self, account_number: str) -> CustomerSummary | None:
        return self.by_account.get(account_number)

    def has_email(self, customer_id: str, address: str) -> bool:
        return address.strip().lower() in self.emails.get(customer_id, set())


@dataclass
class FakeAccounts:
    balances: dict[str, Balance] = field(default_factory=dict)
    orders: dict[str, OrderStatus] = field(default_factory=dict)  # last order by customer id
    by_number: dict[str, OrderStatus] = field(default_factory=dict)

    def balance(self, customer_id: str) -> Balance | None:
        return self.balances.get(customer_id)

    def last_order(self, customer_id: str) -> OrderStatus | None:
        return self.orders.get(customer_id)

    def order(self, order_number: str) -> OrderStatus | None:
        return self.by_number.get(order_number)


@dataclass
class FakeScheduler:
    slots: list[CallbackSlot] = field(default_factory=list)
    booked: list[tuple[str, str, str | None]] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def offer_slots(
        self, customer_id: str | None, number: str, now: datetime, limit: int
    ) -> list[CallbackSlot]:
        free = [s for s in self.slots if s.slot_id not in self.taken and s.start > now]
        return free[:limit]

    def book(self, slot_id: str, number: str, customer_id: str | None) -> bool:
        if slot_id in self.taken:
            return False
        self.taken.add(slot_id)
        self.booked.append((slot_id, number, customer_id))
        return True


def gold() -> CustomerSummary:
    return CustomerSummary("C1", "Ana Garcia", segment="gold", open_cases=0)


def standard() -> CustomerSummary:
    return CustomerSummary("C2", "Bob Smith", segment="standard", open_cases=2)


def make_ports() -> tuple[Ports, FakeDirectory, FakeAccounts, FakeScheduler]:
    directory = FakeDirectory(
        by_phone={GOLD_CALLER: gold(), STANDARD_CALLER: standard()},
        by_account={"12345678": gold(), "87654321": standard()},
        emails={"C1": {"ana@example.com"}, "C2": {"bob@example.com"}},
    )
    accounts = FakeAccounts(
        balances={"C1": Balance(Decimal("1234.5"), "USD")},
        orders={"C1": OrderStatus("A-77", "shipped", date(2025, 3, 3))},
        by_number={
            "4000012": OrderStatus("4000012", "shipped, arriving Tuesday", date(2025, 3, 3), "C1"),
            "4000021": OrderStatus("4000021", "delivered", date(2025, 2, 1), "C2"),
        },
    )
    start = OPEN_TIME.replace(hour=14)
    scheduler = FakeScheduler(
        slots=[CallbackSlot(f"S{i}", start + timedelta(days=1, hours=i)) for i in range(4)]
    )
    return Ports(directory, accounts, scheduler), directory, accounts, scheduler


def main_engine() -> tuple[FlowEngine, FakeDirectory, FakeAccounts, FakeScheduler]:
    ports, directory, accounts, scheduler = make_ports()
    return FlowEngine(load_flow(MAIN_FLOW), ports), directory, accounts, scheduler


def call(caller: str = GOLD_CALLER, now: datetime = OPEN_TIME) -> SessionInputs:
    return SessionInputs(caller_number=caller, now=now)


def inline_raw(nodes: dict[str, Any], start: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "flow": "test",
        "languages": ["en", "es"],
        "start": start or next(iter(nodes)),
        "nodes": nodes,
        **extra,
    }


def inline_flow(nodes: dict[str, Any], start: str | None = None, **extra: Any) -> Flow:
    """A flow from an inline dict; prompts may be one string used for both languages."""
    flow, errors = build_flow(inline_raw(nodes, start, **extra), "test.yaml")
    assert flow is not None, [str(e) for e in errors]
    return flow


def inline_errors(nodes: dict[str, Any], start: str | None = None, **extra: Any) -> list[FlowError]:
    flow, errors = build_flow(inline_raw(nodes, start, **extra), "test.yaml")
    assert flow is None
    return errors


def inline_engine(nodes: dict[str, Any], start: str | None = None, **extra: Any) -> FlowEngine:
    return FlowEngine(inline_flow(nodes, start, **extra), make_ports()[0])


def says(step: Step) -> list[str]:
    """Every spoken text of a step, including prompts inside a Gather."""
    texts: list[str] = []
    for action in step.actions:
        if isinstance(action, Say):
            texts.append(action.text)
        elif isinstance(action, Gather):
            texts.extend(p.text for p in action.prompt if isinstance(p, Say))
    return texts


def kinds(step: Step) -> list[str]:
    return [type(a).__name__ for a in step.actions]
