"""Tests for routing.cover and agent_choice least_covered: the queue with least cover first."""

from __future__ import annotations

from typing import Any

import pytest

from routing import events as ev
from routing.config import ConfigError, PlanStep, Queue, RoutingConfig, RoutingPlan
from routing.engine import Engine
from routing.pools import lane_key

from .helpers import engine, offers, sign_in, submit


def chain(expressions: bool = True, **kwargs: Any) -> Engine:
    """Queues q0-q2 (by skill, or open to all); x serves q1+q2, y q0+q1, z q2; all on break."""
    queues = [
        Queue(f"q{i}", expression=f"skills.q{i} >= 1" if expressions else "", skill=f"q{i}")
        for i in range(3)
    ]
    plans = [
        RoutingPlan(f"p{i}", filter=f'queue == "q{i}"', steps=[PlanStep(f"q{i}")]) for i in range(3)
    ]
    e = engine(*queues, plans=plans, aging=60.0, **kwargs)
    for agent, skills in (
        ("x", {"q1": 10, "q2": 5}),
        ("y", {"q0": 10, "q1": 5}),
        ("z", {"q2": 10}),
    ):
        sign_in(e, agent, 0, **skills)
        e.apply(ev.AgentStateRequested(agent, "break", "x"), 0)
    return e


def queued(e: Engine, task_id: str, now: float, queue: str) -> None:
    submit(e, task_id, now, attributes={"queue": queue})


def drain(e: Engine, agent: str, now: float) -> list[str]:
    """Let one agent serve everything it may take; return task ids in service order."""
    order: list[str] = []
    effects = e.apply(ev.AgentStateRequested(agent, "available"), now)
    while made := offers(effects):
        order.append(made[0].task_id)
        e.apply(ev.OfferAccepted(made[0].reservation_id), now)
        effects = e.apply(ev.TaskCompleted(made[0].task_id), now)
    return order


def competing(e: Engine, queue: str, agent: str) -> float:
    own = {lane.key for lane in e.index.agent_lanes[agent]}
    return e.cover.competing_backlog(e.index.lanes[lane_key(queue, "")], "voice", own)


def pressed_chain(**kwargs: Any) -> Engine:
    """Two tasks wait in q0 (y's primary), an old one in q2, a newer one in q1."""
    e = chain(**kwargs)
    queued(e, "q0a", 0, "q0")
    queued(e, "q0b", 0, "q0")
    queued(e, "old2", 1, "q2")
    queued(e, "new1", 5, "q1")
    return e


def test_backlog_counts_tasks_of_lanes_sharing_agents_by_their_share() -> None:
    """Each other lane adds its waiting tasks times the share of this lane's agents it holds."""
    e = pressed_chain(agent_choice="least_covered")
    assert competing(e, "q1", "x") == 1.0  # y, half of q1's agents, also serves q0 (2 waiting)
    assert competing(e, "q2", "x") == 0.0  # z serves q2 only


def test_the_freed_agents_own_queues_are_left_out() -> None:
    """The lanes the freed agent chooses between never count as competing backlog."""
    e = pressed_chain(agent_choice="least_covered")
    assert competing(e, "q0", "y") == 0.0  # q1 is y's own and has a task; q0's others: none


def test_least_covered_serves_the_queue_whose_other_agents_are_drawn_away() -> None:
    """A freed agent takes the queue whose other agents have work waiting elsewhere first."""
    assert drain(pressed_chain(agent_choice="least_covered"), "x", 6) == ["new1", "old2"]
    assert drain(pressed_chain(), "x", 6) == ["old2", "new1"]


def test_the_shift_is_cover_pressure_seconds_per_competing_task() -> None:
    """A task waiting longer than the shift still goes first: 1 task x 3 s < 4 s older."""
    e = pressed_chain(agent_choice="least_covered", cover_pressure_seconds=3.0)
    assert drain(e, "x", 6) == ["old2", "new1"]


def test_least_covered_keeps_fifo_within_a_queue() -> None:
    """The shift is the same for every task of a queue, so its order is unchanged."""
    e = pressed_chain(agent_choice="least_covered")
    queued(e, "new1b", 5.5, "q1")
    assert drain(e, "x", 6) == ["new1", "new1b", "old2"]


def test_least_covered_changes_nothing_under_full_cross_training() -> None:
    """Where every agent serves every queue there is no competing backlog: best-ranked order."""
    e = chain(expressions=False, agent_choice="least_covered")
    queued(e, "q0a", 0, "q0")
    queued(e, "old2", 1, "q2")
    queued(e, "new1", 5, "q1")
    assert competing(e, "q1", "x") == 0.0
    assert drain(e, "x", 6) == ["q0a", "old2", "new1"]


def test_cover_is_recounted_when_an_agent_signs_in() -> None:
    """Shared-agent counts follow eligibility: a new q0+q1 agent raises q1's competing backlog."""
    e = pressed_chain(agent_choice="least_covered")
    assert competing(e, "q1", "x") == 1.0
    sign_in(e, "w", 7, q0=10, q1=5)
    assert e.tasks["new1"].agent_id == "w"  # q1's other agent x is drawn to q2; q0 keeps 2
    assert competing(e, "q1", "x") == pytest.approx(2 * 2 / 3)  # y, w: 2 of q1's 3 agents


def test_the_offer_trace_names_the_competing_backlog() -> None:
    """The offer's trace says how many tasks compete for the queue's other agents."""
    e = pressed_chain(agent_choice="least_covered")
    drain(e, "x", 6)
    summary = next(x for x in e.trace("new1") if x.kind == "offer").summary
    assert "least covered (1 task(s) wait for this queue's other agents elsewhere x 120 s)" in (
        summary
    )


@pytest.mark.parametrize("value", [-1.0, float("inf"), float("nan")])
def test_cover_pressure_must_be_finite_and_not_negative(value: float) -> None:
    """cover_pressure_seconds outside [0, inf) is refused, naming the field."""
    with pytest.raises(ConfigError) as caught:
        RoutingConfig(cover_pressure_seconds=value)
    assert caught.value.field == "cover_pressure_seconds"


def test_least_covered_round_trips_and_old_configs_read_the_default() -> None:
    """agent_choice least_covered and its seconds survive JSON; old dicts get 120 s."""
    config = RoutingConfig(agent_choice="least_covered", cover_pressure_seconds=30.0)
    again = RoutingConfig.from_dict(config.to_dict())
    assert (again.agent_choice, again.cover_pressure_seconds) == ("least_covered", 30.0)
    assert RoutingConfig.from_dict({}).cover_pressure_seconds == 120.0
