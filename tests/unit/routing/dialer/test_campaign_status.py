"""why_not_dialing: each campaign-level reason, and all of them together."""

from __future__ import annotations

from routing.dialer.campaign_status import CampaignReason, why_not_dialing


def reasons(**kwargs: object) -> list[CampaignReason]:
    values: dict[str, object] = {
        "running": True,
        "agents_signed_in": 5,
        "hopper_size": 100,
        "calls_per_second_left": 1,
    }
    values.update(kwargs)
    return [r.reason for r in why_not_dialing(**values)]  # type: ignore[arg-type]


def test_a_healthy_campaign_has_no_reason() -> None:
    """Running, staffed, leads buffered, budget left, not throttled."""
    assert reasons() == []


def test_each_reason_alone() -> None:
    """Each condition gives its own reason."""
    assert reasons(running=False) == [CampaignReason.NOT_RUNNING]
    assert reasons(agents_signed_in=0) == [CampaignReason.NO_AGENTS]
    assert reasons(hopper_size=0) == [CampaignReason.HOPPER_EMPTY]
    assert reasons(calls_per_second_left=0) == [CampaignReason.CALLS_PER_SECOND_BUDGET]
    assert reasons(throttled_because="30-day abandon rate 2.9% of 3%") == [
        CampaignReason.THROTTLED_BY_ABANDON_RATE
    ]


def test_every_reason_at_once() -> None:
    """All reasons are reported together, each with a message."""
    found = why_not_dialing(
        running=False,
        agents_signed_in=0,
        hopper_size=0,
        calls_per_second_left=0,
        throttled_because="no abandon budget left",
    )
    assert {r.reason for r in found} == set(CampaignReason)
    assert all(r.message for r in found)
