"""Tests for ivr.session: the JSON state between webhooks and the IVR path entries."""

from __future__ import annotations

import pytest

from ivr import SessionStateError
from ivr.session import CallSession, PathEntry


def test_session_round_trips_through_state() -> None:
    """to_state and from_state give back the same session."""
    session = CallSession(
        "main", "+1555", "voice", {"language": "es", "segment": "gold"}, priority=3
    )
    session.visit("menu", "dtmf:1", "option 1 -> next")
    session.waiting_at = "next"
    assert CallSession.from_state(session.to_state()) == session


@pytest.mark.parametrize(
    "state",
    [{}, {"version": 99}, {"version": 1, "flow": "main"}, {"version": 1, "attributes": {}}],
)
def test_foreign_states_are_rejected(state: dict[str, object]) -> None:
    """A dict of another version or with missing parts is a SessionStateError."""
    with pytest.raises(SessionStateError):
        CallSession.from_state(state)


def test_path_entry_reads_like_the_screen_pop() -> None:
    """A path entry shows node, input and where the flow went."""
    assert str(PathEntry("main_menu", "dtmf:1", "option 1 -> billing")) == (
        "main_menu [dtmf:1] -> option 1 -> billing"
    )
    assert str(PathEntry("welcome")) == "welcome"
