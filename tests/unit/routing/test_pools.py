"""Tests for routing.pools: lanes of eligible agents and sorted pools per channel."""

from __future__ import annotations

from routing.config import CapacityProfile, Queue
from routing.pools import Index
from routing.state import AgentRecord


def agent(agent_id: str, level: int, idle: float = 0.0) -> AgentRecord:
    return AgentRecord(agent_id, {"billing": level}, {}, None, idle_since=idle)


def test_lane_eligibility_follows_agent_updates() -> None:
    """A lane's eligible set is computed once and refreshed when an agent changes."""
    agents = {"a1": agent("a1", 6), "a2": agent("a2", 2)}
    index = Index()
    lane = index.lane(Queue("q", expression="skills.billing >= 5"), "", agents)
    assert list(lane.eligible) == ["a1"]
    agents["a2"].skills["billing"] = 9
    index.refresh_eligibility(agents["a2"])
    assert set(lane.eligible) == {"a1", "a2"}


def test_step_expression_narrows_the_lane() -> None:
    """A step expression narrows a queue's agents for that step only."""
    agents = {"a1": agent("a1", 6), "a2": agent("a2", 9)}
    index = Index()
    queue = Queue("q", expression="skills.billing >= 5")
    assert set(index.lane(queue, "", agents).eligible) == {"a1", "a2"}
    assert set(index.lane(queue, "skills.billing >= 8", agents).eligible) == {"a2"}


def test_place_orders_free_agents_and_drops_full_ones() -> None:
    """Free agents sit in the pool in strategy order; an agent at capacity leaves it."""
    agents = {"a1": agent("a1", 6, idle=5), "a2": agent("a2", 9, idle=1)}
    index = Index()
    lane = index.lane(Queue("q"), "", agents)
    pool, created = index.pool(lane, "voice")
    assert created
    for record in agents.values():
        index.place(record, CapacityProfile())
    assert [key[-1] for key in pool.agents] == ["a2", "a1"]
    agents["a2"].held["voice"] = 1
    index.place(agents["a2"], CapacityProfile())
    assert [key[-1] for key in pool.agents] == ["a1"]


def test_pool_tasks_stay_sorted() -> None:
    """Waiting tasks are kept sorted by their (priority/age) entry."""
    agents: dict[str, AgentRecord] = {}
    index = Index()
    pool, _ = index.pool(index.lane(Queue("q"), "", agents), "voice")
    for entry in [(0.0, 5.0, 2, "b"), (-1.0, 9.0, 3, "c"), (0.0, 1.0, 1, "a")]:
        pool.add_task(entry)
    assert [entry[-1] for entry in pool.tasks] == ["c", "a", "b"]
    pool.remove_task((0.0, 1.0, 1, "a"))
    assert [entry[-1] for entry in pool.tasks] == ["c", "b"]
