"""Builders for outbound tests: a campaign with a queue, leads on lists, past attempts.

A helper module (not a test module), shared by the dialer's integration tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from contactcentre.dialer.phones import candidate_zones
from contactcentre.dialer.policy import default_retry_delays
from contactcentre.store.models import Campaign, DialAttemptRow, Lead, LeadList
from tests.builders import add_queue


def add_campaign(session: Session, name: str = "Renewals", **columns: Any) -> Campaign:
    """An active campaign (unless `status` says otherwise) on a queue anyone may answer."""
    queue = add_queue(session, f"{name} queue")
    values = {
        "caller_id": "+12125550199",
        "status": "active",
        "queue_id": queue.id,
        "retry_delays": default_retry_delays(),
        "legal_overrides": [],
        "dispositions": [],
        **columns,
    }
    campaign = Campaign(name=name, **values)
    session.add(campaign)
    session.flush()
    return campaign


def add_list(session: Session, campaign: Campaign, name: str, priority: int = 5) -> LeadList:
    leads_list = LeadList(campaign_id=campaign.id, name=name, priority=priority)
    session.add(leads_list)
    session.flush()
    return leads_list


def add_lead(session: Session, leads_list: LeadList, number: str, **columns: Any) -> Lead:
    """A consenting lead with the number's real candidate zones (unless given)."""
    values = {
        "time_zones": list(candidate_zones(number)),
        "consent": True,
        "source_row": 2,
        **columns,
    }
    lead = Lead(campaign_id=leads_list.campaign_id, list_id=leads_list.id, number=number, **values)
    session.add(lead)
    session.flush()
    return lead


def add_attempt(
    session: Session, lead: Lead, placed_at: datetime, result: str, **columns: Any
) -> DialAttemptRow:
    row = DialAttemptRow(
        campaign_id=lead.campaign_id,
        lead_id=lead.id,
        number=lead.number,
        placed_at=placed_at,
        result=result,
        **columns,
    )
    session.add(row)
    session.flush()
    return row
