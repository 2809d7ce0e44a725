"""Whether a lead may be dialed now, and if not, every reason why (not just the first).

why_not_dialable() takes everything it needs as arguments (the lead, now, the policy, the
do-not-call lists and the number's attempts) and returns the reasons, each with when it clears
where that is known. An empty answer means dialable. amd_allowed() says whether this call may
use answering-machine detection (UK: once per number per 24 hours).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from routing.dialer.attempts import DialAttemptRecord
from routing.dialer.legal import UK_AMD_INTERVAL, UK_NO_REDIAL_AFTER_ABANDON
from routing.dialer.policy import CompliancePolicy, Jurisdiction
from routing.dialer.suppression import Disposition, DncLookup, check_e164


class Reason(StrEnum):
    OUTSIDE_WINDOW = "outside_window"
    DO_NOT_CALL = "do_not_call"
    MAX_ATTEMPTS = "max_attempts"
    FINAL_DISPOSITION = "final_disposition"
    RETRY_DELAY = "retry_delay"
    ABANDONED_72_HOURS = "abandoned_72_hours"
    NO_CONSENT = "no_consent"


@dataclass(frozen=True)
class NotDialable:
    """One reason; `until` is when it clears, where that is known (retry and 72-hour rules)."""

    reason: Reason
    message: str
    until: datetime | None = None


@dataclass(frozen=True)
class Lead:
    """A number to call in a campaign. time_zones are its candidate zones (from phonenumbers'
    timezone module in the app; empty when unknown); consent is the campaign's required
    permission to call it (e.g. prior express consent for an autodialed mobile)."""

    lead_id: str
    campaign_id: str
    number: str
    time_zones: tuple[str, ...]
    consent: bool = True

    def __post_init__(self) -> None:
        check_e164(self.number)


def why_not_dialable(
    lead: Lead,
    now: datetime,
    *,
    policy: CompliancePolicy,
    dnc: DncLookup,
    attempts: Sequence[DialAttemptRecord] = (),
    dispositions: Mapping[str, Disposition] | None = None,
) -> tuple[NotDialable, ...]:
    """Every reason `lead` may not be dialed at `now`; () when it may.

    attempts: the number's attempts in any campaign (the 72-hour rule is per number); those of
    this lead in this campaign count towards max attempts and retry delays. dispositions: the
    campaign's codes, to honour a final disposition or its own retry delay.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    reasons: list[NotDialable] = []
    window = policy.window.check(lead.time_zones, now)
    if not window.open:
        reasons.append(NotDialable(Reason.OUTSIDE_WINDOW, window.explain()))
    listed = dnc.matches(lead.number, lead.campaign_id)
    if listed:
        scopes = sorted({str(e.scope) for e in listed})
        reasons.append(NotDialable(Reason.DO_NOT_CALL, f"on the {', '.join(scopes)} DNC list"))
    if policy.require_consent and not lead.consent:
        reasons.append(NotDialable(Reason.NO_CONSENT, "no consent recorded to call this number"))
    own = sorted(
        (a for a in attempts if a.lead_id == lead.lead_id and a.campaign_id == lead.campaign_id),
        key=lambda a: a.placed_at,
    )
    if len(own) >= policy.max_attempts:
        reasons.append(
            NotDialable(Reason.MAX_ATTEMPTS, f"{len(own)} of {policy.max_attempts} attempts made")
        )
    if own:
        reasons += _after_last(own[-1], now, policy, dispositions or {})
    if policy.jurisdiction is Jurisdiction.UK:
        reasons += _seventy_two_hours(lead.number, now, policy, attempts)
    return tuple(reasons)


def _after_last(
    last: DialAttemptRecord,
    now: datetime,
    policy: CompliancePolicy,
    dispositions: Mapping[str, Disposition],
) -> list[NotDialable]:
    disposition = dispositions.get(last.disposition) if last.disposition else None
    if disposition is not None and disposition.final:
        return [NotDialable(Reason.FINAL_DISPOSITION, f"closed as {disposition.label}")]
    if disposition is not None and disposition.retry_after is not None:
        delay, why = disposition.retry_after, f"disposition {disposition.code}"
    else:
        delay, why = policy.retry_delay(last), f"last attempt {policy.retry_outcome(last)}"
    until = last.settled_at + delay
    if now < until:
        return [NotDialable(Reason.RETRY_DELAY, f"{why}: retry from {until.isoformat()}", until)]
    return []


def _seventy_two_hours(
    number: str, now: datetime, policy: CompliancePolicy, attempts: Sequence[DialAttemptRecord]
) -> list[NotDialable]:
    """Ofcom: no call within 72 h of an abandoned call to the number (from the call's end)."""
    ends = [
        a.settled_at
        for a in attempts
        if a.number == number and a.settled_at <= now and policy.counts_as_abandoned(a)
    ]
    if not ends:
        return []
    until = max(ends) + UK_NO_REDIAL_AFTER_ABANDON
    if now < until:
        return [
            NotDialable(
                Reason.ABANDONED_72_HOURS,
                f"a call was abandoned: no call before {until.isoformat()} (72 hours)",
                until,
            )
        ]
    return []


def amd_allowed(
    number: str,
    now: datetime,
    *,
    policy: CompliancePolicy,
    attempts: Sequence[DialAttemptRecord] = (),
) -> bool:
    """Whether this call may use answering-machine detection: always in the US; in the UK at
    most once per number per 24 hours (allowed again 24 h after the last AMD call was placed)."""
    if policy.jurisdiction is not Jurisdiction.UK:
        return True
    return not any(
        a.number == number and a.amd_used and now - UK_AMD_INTERVAL < a.placed_at <= now
        for a in attempts
    )
