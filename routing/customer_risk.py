"""At-risk by rules: whether a customer looks likely to leave, and why, from plain facts.

DOMAIN.md §1: "a CLV decline over two consecutive quarters should trigger retention effort".
Three rules, each giving a reason the pop can show: CLV fell in each of the last two quarters,
cancellations at or above a threshold, complaints within a window. A flag set by hand (the
customer record's `at_risk`) is a fourth reason and overrides nothing: any reason makes the
customer at risk. Pure: no framework imports; callers gather the facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter, e.g. Quarter(2026, 4) is October to December 2026."""

    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def index(self) -> int:
        """A single sortable number (year * 4 + quarter - 1), as the history table stores it."""
        return self.year * 4 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True)
class RiskRules:
    """The thresholds (settings: cancellations_at_risk, complaints_at_risk, complaint window)."""

    cancellations: int = 2
    complaints: int = 2
    complaint_window_days: int = 90


@dataclass(frozen=True)
class RiskFacts:
    """What the rules read about one customer.

    `quarterly_clv`: the CLV at the end of each quarter, oldest first, for consecutive quarters
    ending with the current one (a quarter without a snapshot is absent, so the caller passes
    only an unbroken run)."""

    quarterly_clv: Sequence[Decimal]
    cancellations: int
    complaints_in_window: int
    flagged_by_hand: bool = False


@dataclass(frozen=True)
class Reason:
    rule: str  # "clv_decline", "cancellations", "complaints" or "manual"
    text: str


def quarter_end_values(
    snapshots: Mapping[int, Decimal], current: int, count: int = 3
) -> list[Decimal]:
    """The CLV at the end of the `count` quarters ending with `current` (Quarter.index), oldest
    first. A quarter without a snapshot had no change, so it carries the one before it; quarters
    before the first snapshot are left out (the list is shorter)."""
    known = sorted(q for q in snapshots if q <= current)
    values: list[Decimal] = []
    for quarter in range(current - count + 1, current + 1):
        earlier = [q for q in known if q <= quarter]
        if earlier:
            values.append(snapshots[earlier[-1]])
    return values


def clv_fell_two_quarters(quarterly_clv: Sequence[Decimal]) -> bool:
    """The last three quarter-end CLVs strictly fall: 3,200 -> 3,000 -> 2,800 is a decline in
    each of the last two quarters; 3,200 -> 3,000 -> 3,000 is not."""
    if len(quarterly_clv) < 3:
        return False
    before, middle, last = quarterly_clv[-3:]
    return before > middle > last


def reasons(facts: RiskFacts, rules: RiskRules) -> list[Reason]:
    """Every rule the customer meets, in a fixed order; empty when not at risk."""
    found: list[Reason] = []
    if clv_fell_two_quarters(facts.quarterly_clv):
        before, middle, last = facts.quarterly_clv[-3:]
        found.append(
            Reason("clv_decline", f"CLV fell two quarters in a row ({before} → {middle} → {last})")
        )
    if rules.cancellations > 0 and facts.cancellations >= rules.cancellations:
        found.append(
            Reason(
                "cancellations",
                f"{facts.cancellations} cancellations (at risk from {rules.cancellations})",
            )
        )
    if rules.complaints > 0 and facts.complaints_in_window >= rules.complaints:
        found.append(
            Reason(
                "complaints",
                f"{facts.complaints_in_window} complaints in the last"
                f" {rules.complaint_window_days} days (at risk from {rules.complaints})",
            )
        )
    if facts.flagged_by_hand:
        found.append(Reason("manual", "marked at risk by hand"))
    return found
