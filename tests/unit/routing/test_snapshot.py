"""Tests for routing.snapshot: full state to JSON and back, with identical behaviour after."""

from __future__ import annotations

import json

import pytest

from routing import events as ev
from routing.config import PlanStep, Queue, RoutingConfig, RoutingPlan
from routing.engine import Engine

from .helpers import config, offered_agent, sign_in, submit


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


def least_needed_config(step_expression: str) -> RoutingConfig:
    """q1 (skill a) and q2 (skill b, least_needed); intent "a" goes to q1 via one plan step."""
    queues = [
        Queue("q1", expression="skills.a >= 1"),
        Queue("q2", expression="skills.b >= 1", strategy="least_needed"),
    ]
    plans = [
        RoutingPlan("pa", filter='intent == "a"', steps=[PlanStep("q1", step_expression)]),
        RoutingPlan("pb", steps=[PlanStep("q2")]),
    ]
    return config(*queues, plans=plans)


def restored(e: Engine) -> Engine:
    return Engine.restore(json.loads(json.dumps(e.snapshot())))


def test_restored_least_needed_counts_the_other_queue_without_its_pool() -> None:
    """A restored engine offers the same least_needed agent though the other pool was not kept."""
    e = Engine(least_needed_config(""))
    submit(e, "t1", 0, attributes={"intent": "a"})  # builds q1's voice pool; nobody signed in
    e.apply(ev.TaskCanceled("t1", "test"), 0)
    sign_in(e, "both", 1, a=1, b=1)  # longest idle, but the only one free for q1
    sign_in(e, "q2only", 2, b=1)
    copy = restored(e)
    attributes = {"intent": "b"}
    assert offered_agent(submit(e, "t2", 3, attributes=attributes)) == "q2only"
    assert offered_agent(submit(copy, "t2", 3, attributes=attributes)) == "q2only"


def test_restored_least_needed_ignores_a_lane_left_by_an_old_step_expression() -> None:
    """A restored engine offers the same least_needed agent after a config change of a step."""
    e = Engine(least_needed_config("skills.a >= 5"))
    submit(e, "t1", 0, attributes={"intent": "a"})
    e.apply(ev.ConfigChanged(least_needed_config("skills.a >= 7")), 1)  # t1 keeps "a >= 5"
    sign_in(e, "x", 2, a=5, b=1)  # takes t1 in the old step's lane, which outlives it
    e.apply(ev.TaskCanceled("t1", "test"), 3)
    sign_in(e, "y", 4, a=1, b=1)
    sign_in(e, "z", 5, a=1)
    copy = restored(e)
    attributes = {"intent": "b"}
    assert offered_agent(submit(e, "t2", 6, attributes=attributes)) == "x"
    assert offered_agent(submit(copy, "t2", 6, attributes=attributes)) == "x"
