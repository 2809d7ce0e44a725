"""Configuring a campaign: settings checked against the law, status moves, legal overrides.

Every change goes through apply_settings, which builds routing.dialer's CompliancePolicy from
the merged settings: nothing past a legal default is stored unless an audited override covers it.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from contactcentre.dialer.dispositions import check_dispositions
from contactcentre.dialer.phones import InvalidPhone, to_e164
from contactcentre.dialer.policy import (
    default_retry_delays,
    parse_local_time,
    policy_from,
    settings_of,
    with_override,
)
from contactcentre.store.models import Campaign, Queue
from routing.dialer.legal import IllegalSetting, LegalOverride, Rule
from routing.dialer.lifecycle import CampaignState, transition


class NotReady(ValueError):
    """A campaign that cannot be activated as configured (e.g. no queue of agents)."""

    code = "not_ready"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def new_campaign(session: Session, data: dict[str, Any]) -> Campaign:
    """A draft campaign with the legal defaults where `data` says nothing."""
    campaign = Campaign(
        name=data["name"],
        caller_id=data["caller_id"],
        status=str(CampaignState.DRAFT),
        retry_delays=default_retry_delays(),
        legal_overrides=[],
    )
    apply_settings(session, campaign, {k: v for k, v in data.items() if k != "name"})
    return campaign


def apply_settings(session: Session, campaign: Campaign, changes: dict[str, Any]) -> None:
    """Check `changes` merged onto the campaign and set them; IllegalSetting names the field."""
    if "caller_id" in changes:
        changes["caller_id"] = _caller_id(changes["caller_id"])
    if "time_zone" in changes:
        _zone(changes["time_zone"])
    if changes.get("queue_id") is not None and session.get(Queue, changes["queue_id"]) is None:
        raise IllegalSetting("queue_id", f"no queue with id {changes['queue_id']}")
    if changes.get("dispositions") is not None:
        check_dispositions(changes["dispositions"])
    if changes.get("retry_delays") is not None:
        changes["retry_delays"] = {**default_retry_delays(), **changes["retry_delays"]}
    elif "retry_delays" in changes:
        changes["retry_delays"] = default_retry_delays()
    for name in ("window_start", "window_end"):
        if name in changes:
            changes[name] = parse_local_time(changes[name], name).isoformat()
    merged = {**settings_of(campaign), **{k: v for k, v in changes.items() if v is not None}}
    policy_from(merged)  # raises IllegalSetting for an impossible or illegal setting
    for key, value in changes.items():
        if value is not None or key == "queue_id":
            setattr(campaign, key, value)


def _caller_id(value: str) -> str:
    if not value.startswith("+"):
        raise IllegalSetting("caller_id", "must be E.164: + then country code and number")
    try:
        number = to_e164(value, "US")
    except InvalidPhone as exc:
        raise IllegalSetting("caller_id", exc.message) from None
    if number != value:
        raise IllegalSetting("caller_id", f"must be E.164 as written: {number}")
    return number


def _zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise IllegalSetting("time_zone", f"{name!r} is not an IANA time zone") from None


def change_status(campaign: Campaign, wanted: str) -> CampaignState:
    """Move the campaign to `wanted`: IllegalTransition (409) or NotReady for a bad move."""
    target = transition(CampaignState(campaign.status), CampaignState(wanted))
    if target is CampaignState.ACTIVE and campaign.queue_id is None:
        raise NotReady("queue_id", "give the campaign a queue of agents before activating it")
    if target is CampaignState.ACTIVE:
        policy_from(settings_of(campaign))  # the law may have been tightened since
    campaign.status = str(target)
    return target


def grant_override(
    campaign: Campaign,
    *,
    rule: str,
    value: float | list[str],
    approved_by: str,
    reason: str,
    reference: str,
    now: datetime,
) -> LegalOverride:
    """Record an explicit permission past one legal default; the caller writes its audit."""
    kind = Rule(rule)
    shaped: float | tuple[time, time]
    if kind is Rule.CALLING_WINDOW:
        if not isinstance(value, list) or len(value) != 2:
            raise IllegalSetting("value", "a calling-window override is [start, end]")
        shaped = (parse_local_time(value[0], "value"), parse_local_time(value[1], "value"))
    elif isinstance(value, list):
        raise IllegalSetting("value", f"{rule} needs a number")
    else:
        shaped = float(value)
    override = LegalOverride(kind, shaped, approved_by, reason, reference, now)
    campaign.legal_overrides = with_override(campaign.legal_overrides or [], override)
    return override
