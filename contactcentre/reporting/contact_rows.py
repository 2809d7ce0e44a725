"""Contacts as reporting stores them: each interaction's whole event history projected once into
a report_contacts row, with its Tally under its queue's target and short-abandon threshold.

The row depends on nothing but the interaction's events and its queue's settings, so projecting
it again (a later event, a rebuild, a roll-up killed half-way) always gives the same row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.reporting import ledger
from contactcentre.reporting.contacts import CONTACT_TYPES, contact_outcomes
from contactcentre.reporting.ledger import LoggedEvent
from contactcentre.store.models import Queue
from contactcentre.store.models.reporting import INTERVAL_SECONDS
from routing.metrics import ContactOutcome, Tally, Thresholds

# A contact of no queue (outbound, straight to an agent) is measured against the defaults.
DEFAULT_THRESHOLDS = Thresholds(20.0, 5.0)


def queue_thresholds(session: Session) -> dict[str, Thresholds]:
    """Each queue's answer target and short-abandon threshold, by queue id (as events name it)."""
    return {
        str(q.id): Thresholds(float(q.sla_target_seconds), float(q.short_abandon_seconds))
        for q in session.scalars(select(Queue))
    }


def interval_start(epoch: float) -> datetime:
    """The start of the 15-minute interval (UTC) that `epoch` falls in."""
    return datetime.fromtimestamp(epoch - epoch % INTERVAL_SECONDS, UTC)


def project(
    session: Session, interaction_ids: Collection[str], thresholds: Mapping[str, Thresholds]
) -> dict[str, dict[str, Any]]:
    """The report_contacts row of each of these interactions that has a reportable event."""
    return project_events(ledger.history(session, interaction_ids, CONTACT_TYPES), thresholds)


def project_events(
    events: Iterable[LoggedEvent], thresholds: Mapping[str, Thresholds]
) -> dict[str, dict[str, Any]]:
    """The report_contacts row of each interaction with a reportable event among `events`
    (each interaction's whole history, in the order it happened)."""
    events = list(events)
    first_at: dict[str, float] = {}
    for event in events:
        first_at.setdefault(event.interaction_id, event.at)
    return {
        o.contact_id: contact_row(o, first_at[o.contact_id], thresholds)
        for o in contact_outcomes(events, every_contact=True)
    }


def counted_at(outcome: ContactOutcome, first_at: float) -> float:
    """When a contact is counted: when it first queued, else when it arrived."""
    for moment in (outcome.queued_at, outcome.arrived_at):
        if moment is not None:
            return moment
    return first_at


def contact_row(
    outcome: ContactOutcome, first_at: float, thresholds: Mapping[str, Thresholds]
) -> dict[str, Any]:
    rule = thresholds.get(outcome.queue_id or "", DEFAULT_THRESHOLDS)
    waited = outcome.waited(rule.clock)
    return {
        "interaction_id": outcome.contact_id,
        "interval_start": interval_start(counted_at(outcome, first_at)),
        "channel": outcome.channel,
        "queue_id": _int(outcome.queue_id),
        "agent_id": _int(outcome.agent_id),
        "campaign_id": outcome.campaign_id,
        "customer_id": _int(outcome.customer_id),
        "outcome": _way_out(outcome),
        "arrived_at": _when(outcome.arrived_at),
        "queued_at": _when(outcome.queued_at),
        "left_at": _when(outcome.left_at),
        "ended_at": _when(outcome.ended_at),
        "wait_ms": None if waited is None else round(waited * 1000),
        "disposition": outcome.disposition,
        "csat": outcome.csat,
        "ces": outcome.ces,
        "callback_for": outcome.callback_for,
        **Tally.of(outcome, rule).to_dict(),
    }


def _way_out(o: ContactOutcome) -> str:
    if o.answered_at is not None:
        return "answered"
    if o.abandoned_at is not None:
        return "abandoned"
    if o.callback_at is not None:
        return "callback"
    return "waiting" if o.queued_at is not None else "unqueued"


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None  # an id no table row can have (a simulation's): not a dimension


def _when(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)
