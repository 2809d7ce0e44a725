"""What an attempt counts as: live, abandoned (US: 2 s after the greeting), UK abandoned."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from routing.dialer.attempts import CallResult
from routing.dialer.legal import IllegalSetting

from .records import T0, attempt


def test_an_agent_within_two_seconds_of_the_greeting_is_not_abandoned() -> None:
    """Connected exactly 2.0 s after the greeting ended: in time."""
    assert not attempt(CallResult.HUMAN, connect_after_greeting=2.0).abandoned()


def test_an_agent_later_than_two_seconds_is_abandoned() -> None:
    """2.001 s is too late; so is never."""
    assert attempt(CallResult.HUMAN, connect_after_greeting=2.001).abandoned()
    assert attempt(CallResult.HUMAN).abandoned()


def test_a_person_hanging_up_during_the_greeting_counts_as_abandoned() -> None:
    """No completed greeting and no agent: the metric counts it (the cautious reading)."""
    assert attempt(CallResult.HUMAN, greeting_ended_at=None).abandoned()


@pytest.mark.parametrize(
    "result", [CallResult.MACHINE, CallResult.BUSY, CallResult.NO_ANSWER, CallResult.FAILED]
)
def test_only_live_answers_can_be_abandoned_in_the_us(result: CallResult) -> None:
    """Machines and unanswered calls are neither live nor abandoned."""
    record = attempt(result)
    assert not record.live
    assert not record.abandoned()


def test_an_amd_false_positive_is_abandoned_in_the_uk_only() -> None:
    """AMD hung up on a person: Ofcom counts it abandoned; the FCC's rule does not."""
    record = attempt(CallResult.MACHINE, amd_used=True, amd_false_positive=True)
    assert not record.abandoned()
    assert record.abandoned_uk()


@pytest.mark.parametrize(
    ("result", "fields", "field"),
    [
        (CallResult.BUSY, {"answered_at": T0}, "answered_at"),
        (CallResult.HUMAN, {"answered_at": None}, "answered_at"),
        (CallResult.HUMAN, {"answered_at": T0 - timedelta(seconds=1)}, "answered_at"),
        (CallResult.MACHINE, {"agent_connected_at": T0}, "agent_connected_at"),
        (CallResult.MACHINE, {"amd_false_positive": True}, "amd_false_positive"),
        (CallResult.HUMAN, {"amd_used": True, "amd_false_positive": True}, "amd_false_positive"),
        (CallResult.BUSY, {"ended_at": T0.replace(tzinfo=None)}, "ended_at"),
    ],
)
def test_inconsistent_records_are_refused(
    result: CallResult, fields: dict[str, Any], field: str
) -> None:
    """A record that contradicts itself fails, naming the field."""
    with pytest.raises(IllegalSetting) as refused:
        attempt(result, **fields)
    assert refused.value.field == field
