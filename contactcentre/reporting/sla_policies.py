"""The SLA policies in force, read from SQL into routing.sla's plain values, with a fingerprint
that changes whenever a policy, a calendar or a holiday does (the watch then re-times the
clocks still running)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from contactcentre.store.models import BusinessCalendar, SlaPolicyRow
from routing.business_hours import Calendar
from routing.sla import SlaPolicy, Target


def calendar_of(row: BusinessCalendar) -> Calendar:
    return Calendar.from_hours(row.time_zone, row.hours, frozenset(h.day for h in row.holidays))


def targets_of(row: SlaPolicyRow) -> dict[Target, int]:
    found: dict[Target, int] = {}
    for target, seconds in (
        ("answer", row.answer_seconds),
        ("first_response", row.first_response_seconds),
        ("resolution", row.resolution_seconds),
    ):
        if seconds is not None:
            found[target] = seconds  # type: ignore[index]
    return found


@dataclass(frozen=True)
class PolicySet:
    """The active policies and their fingerprint."""

    policies: tuple[SlaPolicy, ...]
    fingerprint: str


def load(session: Session) -> PolicySet:
    calendars = {
        c.id: c
        for c in session.scalars(
            select(BusinessCalendar).options(selectinload(BusinessCalendar.holidays))
        )
    }
    rows = list(session.scalars(select(SlaPolicyRow).order_by(SlaPolicyRow.id)))
    policies = tuple(
        SlaPolicy(
            row.id,
            row.name,
            queue_id=None if row.queue_id is None else str(row.queue_id),
            channel=row.channel,
            priority=row.priority,
            targets=targets_of(row),
            calendar=calendar_of(calendars[row.calendar_id]) if row.calendar_id else None,
            warn_ratio=row.warn_percent / 100,
        )
        for row in rows
        if row.active and targets_of(row)
    )
    described = [
        [r.id, r.queue_id, r.channel, r.priority, r.calendar_id, r.answer_seconds,
         r.first_response_seconds, r.resolution_seconds, r.warn_percent, r.active]
        for r in rows
    ] + [
        [c.id, c.time_zone, c.hours, sorted(h.day.isoformat() for h in c.holidays)]
        for c in calendars.values()
    ]  # fmt: skip
    digest = hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode())
    return PolicySet(policies, digest.hexdigest()[:32])
