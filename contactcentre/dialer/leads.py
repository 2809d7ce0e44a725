"""Leads and their dial attempts as routing.dialer's Lead and DialAttemptRecord values.

ORM rows never enter the pure core: these functions copy what eligibility needs out of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.store.models import DialAttemptRow
from contactcentre.store.models import Lead as LeadRow
from routing.dialer.attempts import CallResult, DialAttemptRecord
from routing.dialer.eligibility import Lead

BATCH = 500


def as_lead(row: LeadRow) -> Lead:
    return Lead(
        lead_id=str(row.id),
        campaign_id=str(row.campaign_id),
        number=row.number,
        time_zones=tuple(row.time_zones or ()),
        consent=row.consent,
    )


def as_attempt(row: DialAttemptRow) -> DialAttemptRecord:
    return DialAttemptRecord(
        attempt_id=str(row.id),
        campaign_id=str(row.campaign_id),
        lead_id=str(row.lead_id),
        number=row.number,
        placed_at=row.placed_at,
        result=CallResult(row.result),
        answered_at=row.answered_at,
        greeting_ended_at=row.greeting_ended_at,
        agent_connected_at=row.agent_connected_at,
        ended_at=row.ended_at,
        amd_used=row.amd_used,
        amd_false_positive=row.amd_false_positive,
        disposition=row.disposition,
    )


def attempts_for_numbers(
    session: Session, numbers: Iterable[str]
) -> Mapping[str, Sequence[DialAttemptRecord]]:
    """Every attempt to each number, in any campaign (the 72-hour rule is per number)."""
    wanted = sorted(set(numbers))
    found: dict[str, list[DialAttemptRecord]] = defaultdict(list)
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        for row in session.scalars(select(DialAttemptRow).where(DialAttemptRow.number.in_(chunk))):
            found[row.number].append(as_attempt(row))
    return found
