"""Tests for routing.snapshot: full state to JSON and back, with identical behaviour after."""

from __future__ import annotations

import json

import pytest

from routing import events as ev
from routing.config import PlanStep, Queue, RoutingPlan
from routing.engine import Engine

from .helpers import config, sign_in, submit


def busy_engine() -> Engine:
    plan = RoutingPlan(
        "p",
        steps=[PlanStep("q", timeout_seconds=30), PlanStep("q", priority_change=1)],
        preferred_agent_seconds=10,
    )
    e = Engine(config(Queue("q", strategy="weighted_random", skill="s"), plans=[plan]), seed=5)
    for n in range(4):
        sign_in(e, f"a{n}", 0, s=n + 1)
    for n in range(8):
        submit(e, f"t{n}", n, preferred_agent_id="a1" if n == 6 else None)
    return e


def test_snapshot_is_json_and_restores_the_same_state() -> None:
    """snapshot() is JSON-serialisable and restore(snapshot()) snapshots identically."""
    e = busy_engine()
    data = json.loads(json.dumps(e.snapshot()))
    assert Engine.restore(data).snapshot() == data


def test_restored_engine_gives_the_same_effects() -> None:
    """After restore, the same events (including random picks and timers) give the same effects."""
    original = busy_engine()
    copy = Engine.restore(json.loads(json.dumps(original.snapshot())))
    assert copy.next_deadline() == original.next_deadline()
    events = [
        (ev.Tick(), 25.0),
        (ev.TaskCompleted("t0"), 26.0),
        (ev.Tick(), 40.0),
        (ev.AgentSignedOut("a2"), 41.0),
        (ev.Tick(), 80.0),
    ]
    for event, now in events:
        assert [x.to_dict() for x in copy.apply(event, now)] == [
            x.to_dict() for x in original.apply(event, now)
        ]
    assert copy.trace("t3") == original.trace("t3")


def test_unknown_snapshot_version_is_refused() -> None:
    """A snapshot from another format version is refused rather than misread."""
    data = busy_engine().snapshot() | {"version": 99}
    with pytest.raises(ValueError, match="version"):
        Engine.restore(data)
