"""Abandon accounting (US 30 days, UK 24 hours, the campaign's day) and the throttle rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routing.dialer.abandon import (
    AbandonStanding,
    AbandonTally,
    live_answers_to_earn,
    tally,
    throttle,
)
from routing.dialer.attempts import CallResult
from routing.dialer.policy import CompliancePolicy, Jurisdiction

from .records import T0, attempt

US = CompliancePolicy()
UK = CompliancePolicy(jurisdiction=Jurisdiction.UK)
NOW = T0 + timedelta(days=40)
ZONE = "America/New_York"


def connected(placed: datetime):
    return attempt(CallResult.HUMAN, placed=placed, connect_after_greeting=0.5)


def dropped(placed: datetime):
    return attempt(CallResult.HUMAN, placed=placed)


def false_positive(placed: datetime):
    return attempt(CallResult.MACHINE, placed=placed, amd_used=True, amd_false_positive=True)


def counts(t: AbandonTally) -> tuple[int, int]:
    return t.live, t.abandoned


def test_live_answers_and_abandons_are_counted_machines_are_not() -> None:
    """Two connected, one dropped, a machine and a no-answer: 3 live, 1 abandoned."""
    hour = NOW - timedelta(hours=1)
    rows = [
        connected(hour),
        connected(hour),
        dropped(hour),
        attempt(CallResult.MACHINE, placed=hour),
        attempt(CallResult.NO_ANSWER, placed=hour),
    ]
    found = tally(rows, NOW - timedelta(days=1), NOW, US, period="day")
    assert counts(found) == (3, 1)
    assert found.rate == pytest.approx(1 / 3)


def test_no_live_answer_has_no_rate() -> None:
    """Before the first live answer the rate is undefined, not zero."""
    assert tally([], NOW - timedelta(days=1), NOW, US, period="day").rate is None


def test_rolling_30_days_at_its_boundary() -> None:
    """Placed exactly 30 days ago is outside the window; a second later is inside."""
    edge = NOW - timedelta(days=30)
    standing = AbandonStanding.of([dropped(edge)], NOW, US, campaign_zone=ZONE)
    assert counts(standing.legal) == (0, 0)
    standing = AbandonStanding.of(
        [dropped(edge + timedelta(seconds=1))], NOW, US, campaign_zone=ZONE
    )
    assert counts(standing.legal) == (1, 1)
    assert standing.legal.period == "last 30 days"


def test_today_is_the_campaigns_local_day() -> None:
    """23:59:59 yesterday in New York is not today; 00:00:00 is."""
    now = datetime(2025, 6, 2, 16, 0, tzinfo=UTC)  # 12:00 EDT
    midnight = datetime(2025, 6, 2, 4, 0, tzinfo=UTC)  # 00:00 EDT
    rows = [dropped(midnight - timedelta(seconds=1)), connected(midnight)]
    standing = AbandonStanding.of(rows, now, US, campaign_zone=ZONE)
    assert counts(standing.today) == (1, 0)
    assert counts(standing.legal) == (2, 1)


def test_today_on_a_dst_change_day() -> None:
    """On 2 November 2025 New York's midnight is still EDT (04:00 UTC); the day is 25 h long."""
    now = datetime(2025, 11, 3, 4, 30, tzinfo=UTC)  # 23:30 EST on 2 November
    rows = [connected(datetime(2025, 11, 2, 4, 0, tzinfo=UTC))]  # 00:00 EDT
    assert counts(AbandonStanding.of(rows, now, US, campaign_zone=ZONE).today) == (1, 0)


def test_uk_counts_24_hours_and_amd_false_positives() -> None:
    """Ofcom: 24 hours, and an AMD false positive is a live call abandoned."""
    rows = [
        connected(NOW - timedelta(hours=25)),
        connected(NOW - timedelta(hours=2)),
        false_positive(NOW - timedelta(hours=1)),
    ]
    uk = AbandonStanding.of(rows, NOW, UK, campaign_zone="Europe/London")
    assert uk.legal.period == "last 24 hours"
    assert counts(uk.legal) == (2, 1)
    us = AbandonStanding.of(rows, NOW, US, campaign_zone=ZONE)
    assert counts(us.legal) == (2, 0)


def test_uk_can_add_an_estimate_of_unflagged_false_positives() -> None:
    """With a 5% false-positive estimate, 20 unflagged AMD machines add one abandoned live call."""
    hour = NOW - timedelta(hours=1)
    rows = [connected(hour) for _ in range(9)]
    rows += [attempt(CallResult.MACHINE, placed=hour, amd_used=True) for _ in range(20)]
    found = tally(
        rows, NOW - timedelta(days=1), NOW, UK, period="24 h", amd_false_positive_rate=0.05
    )
    assert found.estimated_false_positives == pytest.approx(1.0)
    assert found.rate == pytest.approx(0.1)
    assert tally(rows, NOW - timedelta(days=1), NOW, US, period="us").rate == 0.0


def tallied(live: int, abandoned: int, period: str = "last 30 days") -> AbandonTally:
    return AbandonTally(period, NOW - timedelta(days=30), NOW, live, abandoned)


def test_the_budget_is_the_abandons_still_affordable() -> None:
    """At 3%, 1,000 live answers with 20 abandoned can afford 10 more: 30/1010 < 3% < 31/1011."""
    budget = tallied(1000, 20).budget(0.03)
    assert 10 <= budget < 11
    assert (20 + 10) / (1000 + 10) <= 0.03 < (20 + 11) / (1000 + 11)


def test_a_new_campaign_is_progressive_until_it_can_afford_one_abandon() -> None:
    """With no abandons, 32 live answers cannot afford one (1/33 > 3%); 33 can (1/34)."""
    assert throttle([(tallied(32, 0), 0.03)]).progressive
    assert not throttle([(tallied(33, 0), 0.03)]).progressive
    assert live_answers_to_earn(tallied(0, 0), 0.03) == 33
    assert live_answers_to_earn(tallied(33, 0), 0.03) == 0


def test_a_campaign_near_its_limit_throttles_to_progressive() -> None:
    """30 abandoned of 1,000 live: a 31st would make 31/1001 > 3%, so progressive, and why."""
    assert not throttle([(tallied(1000, 29), 0.03)]).progressive  # 30/1001 is within 3%
    held = throttle([(tallied(1000, 30), 0.03)])
    assert held.progressive
    assert held.reason is not None
    assert "last 30 days: 3.00% of 3% (30 of 1000 live)" in held.reason
    assert live_answers_to_earn(tallied(1000, 30), 0.03) == 33


def test_the_tightest_period_decides() -> None:
    """30 days has room but today does not: progressive, and the reason names today."""
    held = throttle([(tallied(5000, 50), 0.03), (tallied(40, 1, "today"), 0.03)])
    assert held.progressive
    assert held.reason is not None and "today" in held.reason
    assert held.budget == pytest.approx(tallied(40, 1, "today").budget(0.03))


def test_the_standing_throttles_from_its_records() -> None:
    """AbandonStanding.throttle uses the legal period and today together."""
    hour = NOW - timedelta(hours=1)
    policy = CompliancePolicy(burst_window=None)
    rows = [connected(hour) for _ in range(40)] + [dropped(hour)]
    standing = AbandonStanding.of(rows, NOW, policy, campaign_zone=ZONE)
    assert standing.recent is None
    assert standing.throttle().progressive  # 2/42 > 3% after one more
    rows += [connected(hour) for _ in range(30)]
    assert not AbandonStanding.of(rows, NOW, policy, campaign_zone=ZONE).throttle().progressive


def test_the_burst_guard_throttles_a_bad_half_hour() -> None:
    """The day is well under 3%, but 5 of the last half hour's 100 live answers were
    abandoned: a sixth would pass the 4.5% burst limit, so progressive, and the reason says so."""
    earlier, recent = NOW - timedelta(hours=3), NOW - timedelta(minutes=10)
    rows = [connected(earlier) for _ in range(2000)]
    rows += [connected(recent) for _ in range(95)] + [dropped(recent) for _ in range(5)]
    standing = AbandonStanding.of(rows, NOW, US, campaign_zone=ZONE)
    assert standing.recent is not None and counts(standing.recent) == (100, 5)
    held = standing.throttle()
    assert held.progressive
    assert (
        held.reason is not None and "last 30 minutes: 5.00% of 4.5% (5 of 100 live)" in held.reason
    )
    assert standing.legal.rate is not None and standing.legal.rate < 0.003
    rows += [connected(recent) for _ in range(40)]
    assert not AbandonStanding.of(rows, NOW, US, campaign_zone=ZONE).throttle().progressive


def test_impossible_tallies_are_refused() -> None:
    """More abandons than live answers is a bug upstream, not a rate."""
    with pytest.raises(ValueError, match="abandoned"):
        tallied(1, 2)
    with pytest.raises(ValueError, match="at least one"):
        throttle([])
