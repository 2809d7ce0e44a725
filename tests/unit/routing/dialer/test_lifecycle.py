"""The campaign state machine: which status moves are allowed, and the error for the others."""

from __future__ import annotations

import pytest

from routing.dialer.lifecycle import ALLOWED, CampaignState, IllegalTransition, transition

S = CampaignState


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (S.DRAFT, S.ACTIVE),
        (S.DRAFT, S.STOPPED),
        (S.ACTIVE, S.PAUSED),
        (S.PAUSED, S.ACTIVE),
        (S.ACTIVE, S.STOPPED),
        (S.PAUSED, S.STOPPED),
    ],
)
def test_allowed_moves(current: CampaignState, wanted: CampaignState) -> None:
    """A draft starts or is dropped; a running campaign pauses, resumes and stops."""
    assert transition(current, wanted) is wanted


@pytest.mark.parametrize("current", list(S))
def test_every_other_move_is_refused(current: CampaignState) -> None:
    """Any move not in the table is refused, naming where the campaign may go instead."""
    for wanted in S:
        if wanted in ALLOWED[current]:
            continue
        with pytest.raises(IllegalTransition) as caught:
            transition(current, wanted)
        assert caught.value.allowed == tuple(sorted(ALLOWED[current]))
        assert str(current) in str(caught.value)


def test_stopped_is_final() -> None:
    """Nothing leaves stopped: its abandon record stays its own."""
    assert ALLOWED[S.STOPPED] == frozenset()
    with pytest.raises(IllegalTransition, match="stopped is final"):
        transition(S.STOPPED, S.ACTIVE)
