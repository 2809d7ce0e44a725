"""Compliance policy: stricter than the law is fine, laxer needs an audited override."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routing.dialer.attempts import CallResult
from routing.dialer.legal import IllegalSetting, LegalOverride, Rule
from routing.dialer.policy import (
    DEFAULT_RETRY_DELAYS,
    CompliancePolicy,
    Jurisdiction,
    RetryOutcome,
)

from .records import attempt

WHEN = datetime(2025, 1, 1, tzinfo=UTC)


def grant(rule: Rule, value: float) -> LegalOverride:
    return LegalOverride(rule, value, "counsel", "a pilot the regulator agreed", "REG-7", WHEN)


def test_the_defaults_are_the_legal_limits() -> None:
    """3% abandon, 2 s to connect, 15 s minimum ring; pacing aims at 80% of the limit."""
    policy = CompliancePolicy()
    assert (policy.abandon_limit, policy.connect_seconds, policy.min_ring_seconds) == (
        0.03,
        2.0,
        15.0,
    )
    assert policy.aim == pytest.approx(0.024)
    assert policy.abandon_period == timedelta(days=30)
    assert CompliancePolicy(jurisdiction=Jurisdiction.UK).abandon_period == timedelta(hours=24)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("abandon_limit", 0.031),
        ("connect_seconds", 2.5),
        ("min_ring_seconds", 14.9),
    ],
)
def test_a_laxer_setting_is_refused_without_an_override(field: str, value: float) -> None:
    """No setting lets an operator past a legal default on its own."""
    kwargs: dict[str, object] = {field: value}
    if field == "min_ring_seconds":
        kwargs["ring_timeout_seconds"] = 20.0
    with pytest.raises(IllegalSetting, match="past the legal") as refused:
        CompliancePolicy(**kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("field", "value", "rule", "granted"),
    [
        ("abandon_limit", 0.04, Rule.ABANDON_LIMIT, 0.05),
        ("connect_seconds", 2.5, Rule.CONNECT_SECONDS, 2.5),
        ("min_ring_seconds", 12.0, Rule.MIN_RING_SECONDS, 12.0),
    ],
)
def test_an_override_allows_exactly_what_it_covers(
    field: str, value: float, rule: Rule, granted: float
) -> None:
    """Within the override's value the setting is accepted; past it, refused again."""
    CompliancePolicy(**{field: value, "overrides": (grant(rule, granted),)})  # type: ignore[arg-type]
    past = value * 0.5 if field == "min_ring_seconds" else value * 2
    with pytest.raises(IllegalSetting):
        CompliancePolicy(**{field: past, "overrides": (grant(rule, granted),)})  # type: ignore[arg-type]


def test_an_override_of_one_rule_does_not_cover_another() -> None:
    """An abandon-limit override leaves the connect limit at the law."""
    with pytest.raises(IllegalSetting, match="connect_seconds"):
        CompliancePolicy(connect_seconds=3.0, overrides=(grant(Rule.ABANDON_LIMIT, 0.05),))


def test_stricter_settings_are_accepted() -> None:
    """A 2% limit, 1 s to connect and 30 s of ringing are all fine."""
    policy = CompliancePolicy(
        abandon_limit=0.02, connect_seconds=1.0, min_ring_seconds=30, ring_timeout_seconds=30
    )
    assert policy.aim == pytest.approx(0.016)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"abandon_aim": 0.031}, "abandon_aim"),
        ({"abandon_aim": 0.0}, "abandon_aim"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"ring_timeout_seconds": 14.0}, "ring_timeout_seconds"),
        ({"abandon_limit": 0.0}, "abandon_limit"),
        ({"retry_delays": {RetryOutcome.BUSY: timedelta(0)}}, "retry_delays"),
        (
            {"retry_delays": {**DEFAULT_RETRY_DELAYS, RetryOutcome.BUSY: timedelta(-1)}},
            "retry_delays",
        ),
    ],
)
def test_impossible_settings_are_refused(kwargs: dict[str, object], field: str) -> None:
    """Each impossible setting names its field."""
    with pytest.raises(IllegalSetting) as refused:
        CompliancePolicy(**kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_retry_delays_follow_the_outcome_with_abandoned_apart() -> None:
    """A live call without an agent in time is retried as 'abandoned', not as 'human'."""
    policy = CompliancePolicy()
    assert policy.retry_outcome(attempt(CallResult.HUMAN)) is RetryOutcome.ABANDONED
    connected = attempt(CallResult.HUMAN, connect_after_greeting=0.5)
    assert policy.retry_outcome(connected) is RetryOutcome.HUMAN
    assert policy.retry_delay(attempt(CallResult.BUSY)) == timedelta(minutes=20)


def test_uk_policy_counts_amd_false_positives_as_abandoned() -> None:
    """The same record is abandoned under Ofcom's rule and not under the FCC's."""
    record = attempt(CallResult.MACHINE, amd_used=True, amd_false_positive=True)
    assert CompliancePolicy(jurisdiction=Jurisdiction.UK).counts_as_abandoned(record)
    assert not CompliancePolicy().counts_as_abandoned(record)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"burst_limit": 0.02}, "burst_limit"),
        ({"burst_limit": 1.0}, "burst_limit"),
        ({"burst_window": timedelta(0)}, "burst_window"),
        ({"burst_window": timedelta(days=31)}, "burst_window"),
    ],
)
def test_the_burst_guard_is_checked(kwargs: dict[str, object], field: str) -> None:
    """The burst limit is at least the abandon limit; its window is shorter than the period."""
    with pytest.raises(IllegalSetting) as refused:
        CompliancePolicy(**kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert CompliancePolicy(burst_window=None).burst_window is None
