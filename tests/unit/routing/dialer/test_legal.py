"""The audited override: it must say who, why and where, and it is written to the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from routing.dialer.legal import IllegalSetting, LegalOverride, Rule, override_for

WHEN = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("blank", ["approved_by", "reason", "reference"])
def test_an_override_must_name_approver_reason_and_reference(blank: str) -> None:
    """An override without its audit fields is refused, naming the missing one."""
    fields = {"approved_by": "counsel", "reason": "state law", "reference": "LEGAL-1"}
    fields[blank] = "  "
    with pytest.raises(IllegalSetting) as refused:
        LegalOverride(Rule.ABANDON_LIMIT, 0.05, approved_at=WHEN, **fields)
    assert refused.value.field == f"override.{blank}"


def test_an_override_time_must_be_aware() -> None:
    """The approval time is an instant, not a wall-clock reading."""
    with pytest.raises(IllegalSetting, match="timezone-aware"):
        LegalOverride(Rule.ABANDON_LIMIT, 0.05, "c", "r", "ref", datetime(2025, 1, 1))


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        (Rule.CALLING_WINDOW, 0.5),
        (Rule.CALLING_WINDOW, (time(21), time(8))),
        (Rule.ABANDON_LIMIT, (time(8), time(21))),
        (Rule.CONNECT_SECONDS, 0.0),
    ],
)
def test_an_override_value_must_fit_its_rule(rule: Rule, value: object) -> None:
    """A window override is (start, end) with start first; the others a positive number."""
    with pytest.raises(IllegalSetting):
        LegalOverride(rule, value, "c", "r", "ref", WHEN)  # type: ignore[arg-type]


def test_the_audit_record_says_everything() -> None:
    """The audit log gets the rule, the value, who, why, where and when."""
    record = LegalOverride(
        Rule.CALLING_WINDOW, (time(8), time(21, 30)), "counsel", "state law", "LEGAL-1", WHEN
    ).audit_record()
    assert record == {
        "rule": "calling_window",
        "value": "08:00:00-21:30:00",
        "approved_by": "counsel",
        "reason": "state law",
        "reference": "LEGAL-1",
        "approved_at": "2025-01-01T00:00:00+00:00",
    }


def test_one_override_per_rule() -> None:
    """Two overrides of the same rule are ambiguous and refused."""
    one = LegalOverride(Rule.ABANDON_LIMIT, 0.04, "c", "r", "ref", WHEN)
    two = LegalOverride(Rule.ABANDON_LIMIT, 0.05, "c", "r", "ref", WHEN)
    assert override_for(Rule.ABANDON_LIMIT, (one,)) is one
    assert override_for(Rule.CONNECT_SECONDS, (one,)) is None
    with pytest.raises(IllegalSetting, match="at most one"):
        override_for(Rule.ABANDON_LIMIT, (one, two))
