"""why_not_dialable: every reason at its boundary, all reasons at once, and AMD's 24 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routing.dialer.attempts import CallResult
from routing.dialer.eligibility import Lead, Reason, amd_allowed, why_not_dialable
from routing.dialer.policy import CompliancePolicy, Jurisdiction
from routing.dialer.suppression import (
    Disposition,
    DncEntry,
    DncScope,
    DoNotCallList,
    suppress_after,
)

from .records import T0, attempt

NUMBER = "+12125550100"
LEAD = Lead("l1", "c1", NUMBER, ("America/New_York",))
US = CompliancePolicy()
UK = CompliancePolicy(jurisdiction=Jurisdiction.UK)
NO_DNC = DoNotCallList()
NOON = T0 + timedelta(hours=1)  # 12:00 in New York


def reasons(lead: Lead = LEAD, now: datetime = NOON, **kwargs: object) -> list[Reason]:
    kwargs.setdefault("policy", US)
    kwargs.setdefault("dnc", NO_DNC)
    return [r.reason for r in why_not_dialable(lead, now, **kwargs)]  # type: ignore[arg-type]


def test_a_fresh_lead_in_hours_is_dialable() -> None:
    """No attempts, no list, consent, noon local: nothing stops it."""
    assert reasons() == []


def test_outside_the_window_and_unknown_zones() -> None:
    """07:59:59 local is outside; a lead with no known zone is always outside."""
    early = datetime(2025, 6, 2, 11, 59, 59, tzinfo=UTC)
    assert reasons(now=early) == [Reason.OUTSIDE_WINDOW]
    assert reasons(now=early + timedelta(seconds=1)) == []
    unknown = Lead("l2", "c1", NUMBER, ())
    found = why_not_dialable(unknown, NOON, policy=US, dnc=NO_DNC)
    assert [(r.reason, r.message) for r in found] == [
        (Reason.OUTSIDE_WINDOW, "the number's time zone is unknown")
    ]


def test_a_multi_zone_lead_is_outside_while_one_zone_is_closed() -> None:
    """Chicago 08:30 and Denver 07:30: outside, and the message names Denver."""
    lead = Lead("l3", "c1", NUMBER, ("America/Chicago", "America/Denver"))
    found = why_not_dialable(lead, datetime(2025, 6, 2, 13, 30, tzinfo=UTC), policy=US, dnc=NO_DNC)
    assert [r.reason for r in found] == [Reason.OUTSIDE_WINDOW]
    assert "America/Denver" in found[0].message
    assert "America/Chicago" not in found[0].message


@pytest.mark.parametrize(
    "entry",
    [
        DncEntry(NUMBER, DncScope.INTERNAL),
        DncEntry(NUMBER, DncScope.CAMPAIGN, campaign_id="c1"),
        DncEntry(NUMBER, DncScope.NATIONAL),
    ],
)
def test_any_applicable_list_suppresses(entry: DncEntry) -> None:
    """Internal, this campaign's or national: each alone makes the lead undialable."""
    assert reasons(dnc=DoNotCallList.of([entry])) == [Reason.DO_NOT_CALL]


def test_another_campaigns_list_does_not_suppress() -> None:
    """Campaign c2's list does not apply to c1."""
    dnc = DoNotCallList.of([DncEntry(NUMBER, DncScope.CAMPAIGN, campaign_id="c2")])
    assert reasons(dnc=dnc) == []


def test_a_do_not_call_disposition_suppresses_the_next_check() -> None:
    """After a 'do not call' disposition the number is undialable in every campaign at once."""
    dnc_disposition = Disposition("dnc", "Do not call", do_not_call=True)
    dnc = NO_DNC.adding(suppress_after(dnc_disposition, NUMBER, NOON, campaign_id="c1"))
    other = Lead("l9", "c2", NUMBER, ("America/New_York",))
    assert Reason.DO_NOT_CALL in reasons(dnc=dnc)
    assert Reason.DO_NOT_CALL in reasons(other, dnc=dnc)


@pytest.mark.parametrize(
    "disposition",
    [
        Disposition("callback", "Call back", retry_after=timedelta(0)),
        Disposition("sale", "Sale", final=True),
        Disposition("vip", "VIP, always call"),
        Disposition("retry_now", "Retry now", retry_after=timedelta(0)),
    ],
)
def test_no_disposition_bypasses_suppression(disposition: Disposition) -> None:
    """Whatever the last disposition says, a listed number stays undialable."""
    dnc = DoNotCallList.of([DncEntry(NUMBER, DncScope.INTERNAL)])
    last = attempt(
        CallResult.HUMAN,
        placed=NOON - timedelta(days=2),
        connect_after_greeting=0.5,
        disposition=disposition.code,
    )
    found = reasons(dnc=dnc, attempts=[last], dispositions={disposition.code: disposition})
    assert Reason.DO_NOT_CALL in found


def test_no_consent() -> None:
    """A lead without the campaign's required consent is not dialable, unless not required."""
    lead = Lead("l4", "c1", NUMBER, ("America/New_York",), consent=False)
    assert reasons(lead) == [Reason.NO_CONSENT]
    assert reasons(lead, policy=CompliancePolicy(require_consent=False)) == []


def test_max_attempts_counts_this_lead_in_this_campaign() -> None:
    """Six attempts is the default maximum; another campaign's attempts do not count."""
    long_ago = NOON - timedelta(days=10)
    own = [attempt(placed=long_ago + timedelta(hours=3 * n)) for n in range(5)]
    elsewhere = [attempt(placed=long_ago, campaign_id="c2", lead_id="x")]
    assert reasons(attempts=own + elsewhere) == []
    own.append(attempt(placed=long_ago + timedelta(hours=20)))
    assert reasons(attempts=own) == [Reason.MAX_ATTEMPTS]


def test_retry_delay_by_outcome_at_its_boundary() -> None:
    """No answer waits 2 h from the attempt's end: one second early it waits, then it may."""
    last = attempt(CallResult.NO_ANSWER, placed=NOON, ended_after=30)
    clear = NOON + timedelta(seconds=30) + timedelta(hours=2)
    found = why_not_dialable(
        LEAD, clear - timedelta(seconds=1), policy=US, dnc=NO_DNC, attempts=[last]
    )
    assert [(r.reason, r.until) for r in found] == [(Reason.RETRY_DELAY, clear)]
    assert reasons(now=clear, attempts=[last]) == []


def test_busy_retries_sooner_than_no_answer() -> None:
    """The delay depends on the outcome: busy 20 minutes."""
    last = attempt(CallResult.BUSY, placed=NOON, ended_after=5)
    assert reasons(now=NOON + timedelta(minutes=20, seconds=4), attempts=[last]) == [
        Reason.RETRY_DELAY
    ]
    assert reasons(now=NOON + timedelta(minutes=20, seconds=5), attempts=[last]) == []


def test_a_disposition_sets_its_own_retry_or_closes_the_lead() -> None:
    """A callback disposition retries after its own delay; a final one closes the lead."""
    later = Disposition("later", "Call later", retry_after=timedelta(minutes=30))
    sale = Disposition("sale", "Sale", final=True)
    codes = {"later": later, "sale": sale}
    talked = attempt(CallResult.HUMAN, placed=NOON, connect_after_greeting=0.5, ended_after=60)
    called_back = attempt(
        CallResult.HUMAN, placed=NOON, connect_after_greeting=0.5, disposition="later"
    )
    sold = attempt(CallResult.HUMAN, placed=NOON, connect_after_greeting=0.5, disposition="sale")
    an_hour = NOON + timedelta(hours=1)
    assert reasons(now=an_hour, attempts=[talked], dispositions=codes) == [Reason.RETRY_DELAY]
    assert reasons(now=an_hour, attempts=[called_back], dispositions=codes) == []
    assert reasons(now=an_hour, attempts=[sold], dispositions=codes) == [Reason.FINAL_DISPOSITION]


def test_the_72_hour_rule_at_exactly_72_hours() -> None:
    """UK: a call abandoned (ending) at T blocks the number until T + 72 h exactly."""
    abandoned = attempt(CallResult.HUMAN, placed=NOON, ended_after=20)
    end = NOON + timedelta(seconds=20)
    policy = CompliancePolicy(jurisdiction=Jurisdiction.UK, require_consent=False)
    later = end + timedelta(hours=72)
    found = why_not_dialable(
        LEAD, later - timedelta(seconds=1), policy=policy, dnc=NO_DNC, attempts=[abandoned]
    )
    assert Reason.ABANDONED_72_HOURS in [r.reason for r in found]
    assert [r.until for r in found if r.reason is Reason.ABANDONED_72_HOURS] == [later]
    assert Reason.ABANDONED_72_HOURS not in reasons(now=later, policy=policy, attempts=[abandoned])


def test_the_72_hour_rule_is_per_number_and_counts_amd_false_positives() -> None:
    """An abandoned call from another campaign counts, and so does an AMD false positive."""
    elsewhere = attempt(CallResult.HUMAN, placed=NOON, campaign_id="c2", lead_id="x")
    false_positive = attempt(
        CallResult.MACHINE, placed=NOON, campaign_id="c2", amd_used=True, amd_false_positive=True
    )
    an_hour = NOON + timedelta(hours=1)
    assert reasons(now=an_hour, policy=UK, attempts=[elsewhere]) == [Reason.ABANDONED_72_HOURS]
    assert reasons(now=an_hour, policy=UK, attempts=[false_positive]) == [Reason.ABANDONED_72_HOURS]


def test_the_72_hour_rule_is_uk_only() -> None:
    """In the US an abandoned call only sets the abandoned retry delay (4 h by default)."""
    abandoned = attempt(CallResult.HUMAN, placed=NOON, ended_after=20)
    assert reasons(now=NOON + timedelta(hours=5), attempts=[abandoned]) == []


def test_every_reason_at_once() -> None:
    """A lead can fail everything together, and every reason is reported."""
    lead = Lead("l1", "c1", NUMBER, ("America/New_York",), consent=False)
    policy = CompliancePolicy(jurisdiction=Jurisdiction.UK, max_attempts=1)
    night = datetime(2025, 6, 3, 3, 0, tzinfo=UTC)  # 23:00 in New York
    abandoned = attempt(CallResult.HUMAN, placed=night - timedelta(hours=1))
    dnc = DoNotCallList.of([DncEntry(NUMBER, DncScope.NATIONAL)])
    assert set(reasons(lead, night, policy=policy, dnc=dnc, attempts=[abandoned])) == {
        Reason.OUTSIDE_WINDOW,
        Reason.DO_NOT_CALL,
        Reason.NO_CONSENT,
        Reason.MAX_ATTEMPTS,
        Reason.RETRY_DELAY,
        Reason.ABANDONED_72_HOURS,
    }


def test_a_naive_clock_is_refused() -> None:
    """The clock is a parameter and must be aware."""
    with pytest.raises(ValueError, match="timezone-aware"):
        why_not_dialable(LEAD, datetime(2025, 6, 2, 16), policy=US, dnc=NO_DNC)


def test_amd_at_most_once_per_number_per_24_hours_in_the_uk() -> None:
    """UK: after an AMD call placed at T, AMD is refused until T + 24 h exactly."""
    used = attempt(CallResult.MACHINE, placed=NOON, amd_used=True)
    day = NOON + timedelta(hours=24)
    assert not amd_allowed(NUMBER, NOON, policy=UK, attempts=[used])
    assert not amd_allowed(NUMBER, day - timedelta(seconds=1), policy=UK, attempts=[used])
    assert amd_allowed(NUMBER, day, policy=UK, attempts=[used])


def test_amd_rules_ignore_calls_without_amd_and_other_numbers_and_the_us() -> None:
    """A call without AMD, or to another number, does not use up the day; the US has no rule."""
    plain = attempt(CallResult.MACHINE, placed=NOON)
    other = attempt(CallResult.MACHINE, placed=NOON, amd_used=True, number="+12125550199")
    assert amd_allowed(NUMBER, NOON, policy=UK, attempts=[plain, other])
    used = attempt(CallResult.MACHINE, placed=NOON, amd_used=True)
    assert amd_allowed(NUMBER, NOON, policy=US, attempts=[used])
