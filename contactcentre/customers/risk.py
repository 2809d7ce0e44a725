"""Whether a customer is at risk of leaving, and why: the facts gathered from SQL (value
history, cancellations, complaint dispositions in the window, the flag set by hand) put to the
rules in routing/customer_risk.py. The computed answer is what the pop's retention offer
follows; the record's `at_risk` flag is only a manual reason among the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactcentre.customers.value_history import current_quarter, history
from contactcentre.store.models import Customer, Disposition, Interaction
from contactcentre.store.types import utcnow
from routing.customer_risk import Reason, RiskFacts, RiskRules, quarter_end_values, reasons

if TYPE_CHECKING:
    from contactcentre.settings import Settings


@dataclass(frozen=True)
class RiskPolicy:
    """The rules' thresholds and the disposition codes that mean a complaint (the defaults are
    the settings' defaults)."""

    rules: RiskRules = field(default_factory=RiskRules)
    complaint_codes: tuple[str, ...] = ("complaint",)


def policy_from(settings: Settings) -> RiskPolicy:
    return RiskPolicy(
        RiskRules(
            cancellations=settings.cancellations_at_risk,
            complaints=settings.complaints_at_risk,
            complaint_window_days=settings.complaint_window_days,
        ),
        tuple(settings.complaint_dispositions),
    )


def complaints_in_window(session: Session, customer_id: int, policy: RiskPolicy) -> int:
    """Interactions of the customer whose final disposition (Interaction.disposition_id, the
    latest wrap-up's) is a complaint code, created within the window."""
    if not policy.complaint_codes:
        return 0
    since = utcnow() - timedelta(days=policy.rules.complaint_window_days)
    found = session.scalar(
        select(func.count())
        .select_from(Interaction)
        .join(Disposition, Disposition.id == Interaction.disposition_id)
        .where(
            Interaction.customer_id == customer_id,
            Interaction.created_at >= since,
            Disposition.code.in_(policy.complaint_codes),
        )
    )
    return int(found or 0)


def risk_reasons(
    session: Session, customer: Customer, policy: RiskPolicy, today: date | None = None
) -> list[Reason]:
    """Every rule the customer meets now; empty when not at risk (an erased customer never is)."""
    if customer.erased_at is not None:
        return []
    quarter = current_quarter(today).index
    facts = RiskFacts(
        quarterly_clv=quarter_end_values(history(session, customer.id), quarter),
        cancellations=customer.cancellations or 0,
        complaints_in_window=complaints_in_window(session, customer.id, policy),
        flagged_by_hand=bool(customer.at_risk),
    )
    return reasons(facts, policy.rules)


def reasons_out(found: list[Reason]) -> list[dict[str, str]]:
    return [{"rule": r.rule, "text": r.text} for r in found]
