"""A campaign's stored settings as routing.dialer's policy: overrides survive the round trip,
and the field named in an error is the API's."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from contactcentre.dialer.phones import candidate_zones, to_e164
from contactcentre.dialer.policy import (
    default_retry_delays,
    overrides_of,
    policy_from,
    with_override,
)
from routing.dialer.legal import IllegalSetting, LegalOverride, Rule
from routing.dialer.policy import Jurisdiction

AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _settings(**changes: object) -> dict[str, object]:
    return {
        "jurisdiction": "us",
        "window_start": "08:00:00",
        "window_end": "21:00:00",
        "max_attempts": 6,
        "retry_delays": default_retry_delays(),
        "ring_timeout_seconds": 25.0,
        "min_ring_seconds": 15.0,
        "connect_seconds": 2.0,
        "abandon_limit": 0.03,
        "require_consent": True,
        "legal_overrides": [],
        **changes,
    }


def test_the_defaults_are_the_law() -> None:
    """Stored defaults build the policy routing.dialer would build by itself."""
    policy = policy_from(_settings())
    assert policy.jurisdiction is Jurisdiction.US
    assert (policy.window.start, policy.window.end) == (time(8), time(21))
    assert policy.abandon_limit == 0.03


def test_overrides_survive_storage_and_replace_their_rule() -> None:
    """An override stored as JSON reads back the same; a second of one rule replaces it."""
    first = LegalOverride(Rule.CALLING_WINDOW, (time(7), time(21)), "ada", "B2B", "T-1", AT)
    second = LegalOverride(Rule.CALLING_WINDOW, (time(7, 30), time(21)), "ada", "B2B", "T-2", AT)
    records = with_override(with_override([], first), second)
    assert overrides_of(records) == (second,)
    policy = policy_from(_settings(window_start="07:30", legal_overrides=records))
    assert policy.window.start == time(7, 30)


def test_a_raised_abandon_limit_lifts_the_burst_guard_with_it() -> None:
    """With an override to 6%, the burst guard (4.5% by default) moves above the limit."""
    record = with_override([], LegalOverride(Rule.ABANDON_LIMIT, 0.06, "ada", "pilot", "L-1", AT))
    policy = policy_from(_settings(abandon_limit=0.06, legal_overrides=record))
    assert policy.burst_limit >= policy.abandon_limit


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"window_start": "07:59"}, "window_start"),
        ({"window_end": "21:00:01"}, "window_end"),
        ({"window_start": "12:00", "window_end": "12:00"}, "window_end"),
        ({"window_end": "9pm"}, "window_end"),
        ({"retry_delays": {**default_retry_delays(), "later": 1}}, "retry_delays"),
    ],
)
def test_errors_name_the_api_field(changes: dict[str, object], field: str) -> None:
    """The calling window's errors name window_start or window_end, not the window."""
    with pytest.raises(IllegalSetting) as caught:
        policy_from(_settings(**changes))
    assert caught.value.field == field


def test_zones_of_numbers() -> None:
    """One zone for a New York number, several for a toll-free one, London for +44 20."""
    assert candidate_zones(to_e164("212 555 0101", "US")) == ("America/New_York",)
    assert len(candidate_zones("+18005550100")) > 5
    assert candidate_zones(to_e164("020 7946 0958", "GB")) == ("Europe/London",)
