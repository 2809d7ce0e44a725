"""Why a lead is not dialable now, and why a campaign is not dialing: the pure rules' answers.

Every reason comes from routing.dialer (eligibility.why_not_dialable, campaign_status.
why_not_dialing, abandon.AbandonStanding): this module only gathers their inputs from SQL and
Redis, so the diagnosis and the dialer's own decision cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.dialer.agents import signed_in_agents
from contactcentre.dialer.dispositions import campaign_dispositions
from contactcentre.dialer.dnc import SqlDncLookup
from contactcentre.dialer.hopper import Hopper
from contactcentre.dialer.leads import as_attempt, as_lead, attempts_for_numbers
from contactcentre.dialer.policy import compliance_policy
from contactcentre.realtime.presence import Presence
from contactcentre.store.models import Campaign, DialAttemptRow, Lead, LeadList
from routing.dialer.abandon import AbandonStanding
from routing.dialer.campaign_status import why_not_dialing
from routing.dialer.eligibility import why_not_dialable


def diagnose_lead(session: Session, lead: Lead, now: datetime) -> dict[str, Any]:
    """The lead's reasons not to be dialed at `now` (none: dialable), its zones' local times."""
    campaign = session.get(Campaign, lead.campaign_id)
    assert campaign is not None  # a lead's campaign is a foreign key, deleted with it
    policy = compliance_policy(campaign)
    attempts = attempts_for_numbers(session, [lead.number]).get(lead.number, ())
    reasons = why_not_dialable(
        as_lead(lead),
        now,
        policy=policy,
        dnc=SqlDncLookup(session),
        attempts=attempts,
        dispositions=campaign_dispositions(campaign),
    )
    window = policy.window.check(tuple(lead.time_zones or ()), now)
    own = [a for a in attempts if a.lead_id == str(lead.id)]
    leads_list = session.get(LeadList, lead.list_id)
    return {
        "lead_id": lead.id,
        "campaign_id": lead.campaign_id,
        "number": lead.number,
        "checked_at": now.isoformat(),
        "dialable": not reasons,
        "reasons": [
            {
                "reason": str(r.reason),
                "message": r.message,
                "until": None if r.until is None else r.until.isoformat(),
            }
            for r in reasons
        ],
        "zones": [
            {
                "zone": z.zone,
                "local_time": None if z.local is None else z.local.isoformat(),
                "open": z.open,
            }
            for z in window.zones
        ],
        "attempts": len(own),
        "max_attempts": policy.max_attempts,
        "list_active": bool(leads_list is not None and leads_list.active),
    }


def diagnose_campaign(
    session: Session,
    client: redis.Redis,
    campaign: Campaign,
    now: datetime,
    *,
    grace_seconds: float,
) -> dict[str, Any]:
    """Every reason the campaign is not dialing now, with the counts they come from."""
    policy = compliance_policy(campaign)
    agents = signed_in_agents(session, Presence(client), campaign, now.timestamp(), grace_seconds)
    hopper_size = Hopper(client, campaign.id).size()
    since = now - policy.abandon_period
    rows = session.scalars(
        select(DialAttemptRow).where(
            DialAttemptRow.campaign_id == campaign.id, DialAttemptRow.placed_at > since
        )
    )
    standing = AbandonStanding.of(
        [as_attempt(r) for r in rows], now, policy, campaign_zone=campaign.time_zone
    )
    throttle = standing.throttle()
    # No dialer process places calls yet, so none of the account's calls-per-second budget is
    # spent by this platform: the budget reason cannot apply until one does.
    reasons = why_not_dialing(
        running=campaign.status == "active",
        agents_signed_in=len(agents),
        hopper_size=hopper_size,
        calls_per_second_left=1,
        throttled_because=throttle.reason,
    )
    leads = session.scalar(select(Lead.id).where(Lead.campaign_id == campaign.id).limit(1))
    return {
        "campaign_id": campaign.id,
        "status": campaign.status,
        "checked_at": now.isoformat(),
        "dialing": not reasons,
        "reasons": [{"reason": str(r.reason), "message": r.message} for r in reasons],
        "agents_signed_in": len(agents),
        "hopper_size": hopper_size,
        "has_leads": leads is not None,
        "abandon": [
            {
                "period": tally.period,
                "live": tally.live,
                "abandoned": tally.abandoned,
                "rate": tally.rate,
                "limit": limit,
            }
            for tally, limit in throttle.periods
        ],
    }
