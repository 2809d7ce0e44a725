"""Tests for ivr.engine: JSON state between webhooks, hang-ups, determinism and misuse."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from ivr import (
    CallerHangup,
    Digits,
    FlowRuntimeError,
    SessionInputs,
    SessionStateError,
)

from .fakes import OPEN_TIME, call, inline_engine, main_engine

MENU_NODES = {
    "menu": {
        "type": "menu",
        "prompt": "Press 1",
        "options": [{"key": 1, "next": "bye"}],
        "default": "bye",
    },
    "bye": {"type": "hangup", "prompt": "Bye"},
}


def test_state_survives_a_json_round_trip() -> None:
    """The state is plain JSON, so the web layer can store it between webhooks."""
    engine = inline_engine(MENU_NODES)
    step = engine.start(call())
    stored = json.loads(json.dumps(step.state))
    assert engine.advance(stored, Digits("1"), OPEN_TIME).finished


def test_same_inputs_give_the_same_steps() -> None:
    """The engine is deterministic: the same inputs always give the same actions and state."""
    first, _, _, _ = main_engine()
    second, _, _, _ = main_engine()
    a, b = first.start(call()), second.start(call())
    assert a == b
    assert first.advance(a.state, Digits("1"), OPEN_TIME) == second.advance(
        b.state, Digits("1"), OPEN_TIME
    )


def test_advance_does_not_mutate_the_given_state() -> None:
    """The caller's stored state dict is left untouched; a new one is returned."""
    engine = inline_engine(MENU_NODES)
    state = engine.start(call()).state
    before = json.dumps(state, sort_keys=True)
    engine.advance(state, Digits("9"), OPEN_TIME)
    assert json.dumps(state, sort_keys=True) == before


def test_caller_hangup_finishes_without_actions() -> None:
    """A hang-up while waiting ends the IVR and records it in the path."""
    engine = inline_engine(MENU_NODES)
    step = engine.advance(engine.start(call()).state, CallerHangup(), OPEN_TIME)
    assert step.actions == () and step.finished
    assert (step.path[-1].node, step.path[-1].input) == ("menu", "hangup")


def test_path_accumulates_across_webhooks() -> None:
    """The IVR path lists every node taken with the caller's inputs, across turns."""
    engine = inline_engine(MENU_NODES)
    step = engine.advance(engine.start(call()).state, Digits("1"), OPEN_TIME)
    assert [str(p) for p in step.path] == ["menu [dtmf:1] -> option 1 -> bye", "bye -> hangup"]


def test_finished_state_cannot_be_advanced() -> None:
    """Advancing a finished contact is a state error, not a silent restart."""
    engine = inline_engine(MENU_NODES)
    done = engine.advance(engine.start(call()).state, Digits("1"), OPEN_TIME)
    with pytest.raises(SessionStateError, match="already finished"):
        engine.advance(done.state, Digits("1"), OPEN_TIME)


def test_state_of_another_flow_is_rejected() -> None:
    """A state written by one flow is refused by another."""
    engine = inline_engine(MENU_NODES)
    state = {**engine.start(call()).state, "flow": "other"}
    with pytest.raises(SessionStateError, match="belongs to flow 'other'"):
        engine.advance(state, Digits("1"), OPEN_TIME)


def test_state_waiting_at_a_removed_node_is_rejected() -> None:
    """A flow edited mid-call (node gone) gives a clear state error."""
    engine = inline_engine(MENU_NODES)
    state = {**engine.start(call()).state, "waiting_at": "gone"}
    with pytest.raises(SessionStateError, match="no input node 'gone'"):
        engine.advance(state, Digits("1"), OPEN_TIME)


def test_corrupt_state_is_rejected() -> None:
    """A dict that is not an IVR state is refused with SessionStateError."""
    engine = inline_engine(MENU_NODES)
    with pytest.raises(SessionStateError):
        engine.advance({"version": 1}, Digits("1"), OPEN_TIME)


def test_naive_time_is_rejected() -> None:
    """The time must be timezone-aware; the engine never guesses a zone."""
    with pytest.raises(ValueError, match="timezone-aware"):
        SessionInputs("+1555", datetime(2025, 1, 1, 9))
    engine = inline_engine(MENU_NODES)
    with pytest.raises(ValueError, match="timezone-aware"):
        engine.advance(engine.start(call()).state, Digits("1"), datetime(2025, 1, 1))


def test_start_language_outside_the_flow_falls_back_to_default() -> None:
    """A caller language the flow does not speak falls back to the flow's default language."""
    engine = inline_engine(MENU_NODES)
    step = engine.start(SessionInputs("+1555", OPEN_TIME, language="fr"))
    assert step.state["attributes"]["language"] == "en"


def test_runtime_loop_without_input_is_stopped() -> None:
    """A branch/set loop that never waits for the caller raises instead of spinning forever."""
    engine = inline_engine(
        {
            "loop": {
                "type": "branch",
                "rules": [{"when": "language == fr", "next": "bye"}],
                "default": "again",
            },
            "again": {"type": "set", "attributes": {"x": 1}, "next": "loop"},
            "bye": {"type": "hangup"},
        }
    )
    with pytest.raises(FlowRuntimeError, match="without asking the caller"):
        engine.start(call())
