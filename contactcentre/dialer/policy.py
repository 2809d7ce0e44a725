"""A campaign row as routing.dialer's CompliancePolicy, and the audited overrides that widen it.

The row stores plain values; building the policy is where the law is checked, so a setting past
a legal default without an override covering it raises IllegalSetting naming the field.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from contactcentre.store.models import Campaign
from routing.dialer.calling_window import CallingWindow
from routing.dialer.legal import (
    ABANDON_LIMIT,
    LEGAL_EARLIEST,
    IllegalSetting,
    LegalOverride,
    Rule,
    override_for,
)
from routing.dialer.policy import (
    BURST_LIMIT,
    DEFAULT_RETRY_DELAYS,
    CompliancePolicy,
    Jurisdiction,
    RetryOutcome,
)


def default_retry_delays() -> dict[str, int]:
    """The policy's default delays, as stored: {outcome: seconds}."""
    return {str(o): int(d.total_seconds()) for o, d in DEFAULT_RETRY_DELAYS.items()}


def parse_local_time(text: str, field: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise IllegalSetting(
            field, f"{text!r} is not a local time such as 08:00 or 20:30:00"
        ) from None


def overrides_of(records: list[dict[str, Any]]) -> tuple[LegalOverride, ...]:
    """The stored override records as LegalOverride values (validated again)."""
    return tuple(_override(r) for r in records)


def _override(record: dict[str, Any]) -> LegalOverride:
    rule = Rule(record["rule"])
    raw = record["value"]
    value: float | tuple[time, time]
    if rule is Rule.CALLING_WINDOW:
        value = (
            parse_local_time(raw[0], "override.value"),
            parse_local_time(raw[1], "override.value"),
        )
    else:
        value = float(raw)
    return LegalOverride(
        rule=rule,
        value=value,
        approved_by=record["approved_by"],
        reason=record["reason"],
        reference=record["reference"],
        approved_at=datetime.fromisoformat(record["approved_at"]),
    )


def override_record(override: LegalOverride) -> dict[str, Any]:
    """What the campaign row keeps of an override (JSON; times as HH:MM:SS)."""
    value = override.value
    return {
        "rule": str(override.rule),
        "value": [value[0].isoformat(), value[1].isoformat()]
        if isinstance(value, tuple)
        else value,
        "approved_by": override.approved_by,
        "reason": override.reason,
        "reference": override.reference,
        "approved_at": override.approved_at.isoformat(),
    }


def with_override(records: list[dict[str, Any]], override: LegalOverride) -> list[dict[str, Any]]:
    """The records with `override` replacing any earlier one of its rule (one per rule)."""
    kept = [r for r in records if r["rule"] != str(override.rule)]
    return [*kept, override_record(override)]


def compliance_policy(campaign: Campaign) -> CompliancePolicy:
    """The campaign's policy; IllegalSetting (naming the field) if its settings break the law."""
    return policy_from(settings_of(campaign))


def settings_of(campaign: Campaign) -> dict[str, Any]:
    """The compliance columns of a campaign row, as the API names them."""
    return {
        "jurisdiction": campaign.jurisdiction,
        "window_start": campaign.window_start,
        "window_end": campaign.window_end,
        "max_attempts": campaign.max_attempts,
        "retry_delays": campaign.retry_delays or default_retry_delays(),
        "ring_timeout_seconds": campaign.ring_timeout_seconds,
        "min_ring_seconds": campaign.min_ring_seconds,
        "connect_seconds": campaign.connect_seconds,
        "abandon_limit": campaign.abandon_limit,
        "require_consent": campaign.require_consent,
        "legal_overrides": campaign.legal_overrides or [],
    }


def policy_from(settings: dict[str, Any]) -> CompliancePolicy:
    """A CompliancePolicy from the settings a campaign row (or an API body merged on it) holds."""
    overrides = overrides_of(settings["legal_overrides"])
    start = parse_local_time(settings["window_start"], "window_start")
    end = parse_local_time(settings["window_end"], "window_end")
    try:
        window = CallingWindow(start, end, override_for(Rule.CALLING_WINDOW, overrides))
    except IllegalSetting as exc:
        # The API's fields are the two ends: name the one at fault.
        field = "window_start" if start < LEGAL_EARLIEST else "window_end"
        raise IllegalSetting(field, exc.message) from None
    delays = settings["retry_delays"]
    unknown = set(delays) - {str(o) for o in RetryOutcome}
    if unknown:
        raise IllegalSetting("retry_delays", f"unknown outcome(s) {', '.join(sorted(unknown))}")
    return CompliancePolicy(
        jurisdiction=Jurisdiction(settings["jurisdiction"]),
        window=window,
        max_attempts=settings["max_attempts"],
        retry_delays={RetryOutcome(k): timedelta(seconds=v) for k, v in delays.items()},
        min_ring_seconds=settings["min_ring_seconds"],
        ring_timeout_seconds=settings["ring_timeout_seconds"],
        connect_seconds=settings["connect_seconds"],
        abandon_limit=settings["abandon_limit"],
        require_consent=settings["require_consent"],
        # The burst guard sits above the limit; an overridden limit lifts it in proportion.
        burst_limit=max(
            BURST_LIMIT, min(0.99, settings["abandon_limit"] * BURST_LIMIT / ABANDON_LIMIT)
        ),
        overrides=overrides,
    )
