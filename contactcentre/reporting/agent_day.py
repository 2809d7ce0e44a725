"""An agent's day in numbers: contacts handled, average handle time, missed and rejected offers,
each computed by its routing/metrics.py definition from the day's events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from contactcentre.reporting import ledger
from contactcentre.reporting.contacts import CONTACT_TYPES, contact_outcomes
from contactcentre.reporting.definitions import (
    AHT,
    HANDLED,
    MISSED_OFFERS,
    REJECTED_OFFERS,
    served_id,
)
from contactcentre.reporting.ledger import LoggedEvent
from routing.metrics import ContactOutcome, MetricDefinition, Offer

OFFER_OUTCOMES: dict[str, Literal["expired", "rejected"]] = {
    "offer_expired": "expired",
    "rejected": "rejected",
}
TYPES = CONTACT_TYPES | OFFER_OUTCOMES.keys()
# The JSON key of each number and the definition it is computed by.
SERVED: dict[str, MetricDefinition] = {
    "handled": HANDLED,
    "aht_seconds": AHT,
    "missed_offers": MISSED_OFFERS,
    "rejected_offers": REJECTED_OFFERS,
}
DEFINITIONS = {key: metric.label for key, metric in SERVED.items()}
DEFINITION_IDS = {key: served_id(metric) for key, metric in SERVED.items()}


@dataclass(frozen=True)
class AgentDay:
    """One agent's numbers for the day; an agent with no events has the zero day."""

    handled: int = 0
    aht_seconds: float | None = None
    missed_offers: int = 0
    rejected_offers: int = 0

    @classmethod
    def of(cls, contacts: Iterable[ContactOutcome], offers: Iterable[Offer]) -> AgentDay:
        contacts, offers = list(contacts), list(offers)
        aht = AHT.compute(contacts)
        return cls(
            handled=HANDLED.compute(contacts),
            aht_seconds=None if aht is None else round(aht, 1),
            missed_offers=MISSED_OFFERS.compute(offers),
            rejected_offers=REJECTED_OFFERS.compute(offers),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "handled": self.handled,
            "aht_seconds": self.aht_seconds,
            "missed_offers": self.missed_offers,
            "rejected_offers": self.rejected_offers,
        }


def offers_not_taken(events: Iterable[LoggedEvent]) -> list[Offer]:
    """The offers that did not become contacts: expired ("missed") or declined, per agent."""
    return [
        Offer(str(e.data["agent_id"]), OFFER_OUTCOMES[e.type])
        for e in events
        if e.type in OFFER_OUTCOMES and e.data.get("agent_id") is not None
    ]


def agent_days(contacts: Iterable[ContactOutcome], offers: Iterable[Offer]) -> dict[str, AgentDay]:
    """Each agent's day, keyed by agent id, from the period's contacts and offers."""
    handled: dict[str, list[ContactOutcome]] = defaultdict(list)
    for contact in contacts:
        if contact.agent_id is not None:
            handled[contact.agent_id].append(contact)
    not_taken: dict[str, list[Offer]] = defaultdict(list)
    for offer in offers:
        not_taken[offer.agent_id].append(offer)
    return {
        agent: AgentDay.of(handled[agent], not_taken[agent]) for agent in {*handled, *not_taken}
    }


def agents_today(session: Session, start: datetime, end: datetime) -> dict[str, AgentDay]:
    """Every agent's numbers for [start, end), read from the event log."""
    events = ledger.read(session, start, end, TYPES)
    return agent_days(contact_outcomes(events), offers_not_taken(events))
