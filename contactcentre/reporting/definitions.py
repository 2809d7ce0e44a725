"""The metric definitions reporting serves, one instance each, and how a number names its own.

Everything here comes from routing/metrics.py: no figure is defined in reporting itself.
"""

from __future__ import annotations

from typing import Any

from routing.metrics import (
    AverageHandleTime,
    ContactsHandled,
    CustomerSatisfaction,
    MetricDefinition,
    OffersNotTaken,
    ServiceLevel,
    catalogue,
)

HANDLED = ContactsHandled()
AHT = AverageHandleTime()
MISSED_OFFERS = OffersNotTaken("expired")
REJECTED_OFFERS = OffersNotTaken("rejected")
CSAT = CustomerSatisfaction()


def queue_service_level(target_seconds: float, short_abandon_seconds: float) -> ServiceLevel:
    """A queue's service level: Genesys' variant (abandons count against it), the queue's own
    answer target and short-abandon threshold."""
    return ServiceLevel("genesys", target_seconds, short_abandon_seconds)


def served_id(metric: MetricDefinition) -> str:
    """The id and version shown beside a number, e.g. "aht v2"."""
    return f"{metric.id} v{metric.version}"


def served_definitions() -> list[dict[str, Any]]:
    """Every definition as the API lists it: each one's statement and the id numbers carry."""
    return [{**d.describe(), "served_id": served_id(d)} for d in catalogue()]
