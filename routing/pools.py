"""Indexes that make a routing decision cheap: lanes of eligible agents and pools per channel.

A lane (queue + step expression) has a pool per channel: waiting tasks and free agents, sorted.
"""

from __future__ import annotations

import bisect
from typing import Any

from routing import capacity
from routing.config import CapacityProfile, Queue
from routing.expression import Expr, always, parse
from routing.state import AgentRecord
from routing.strategies import AgentKey, agent_key

TaskEntry = tuple[Any, ...]  # (primary, created_at, seq, task_id): lower is served first


class Pool:
    """Waiting tasks of one channel in one lane, and the lane's agents free for that channel."""

    def __init__(self, lane: Lane, channel: str) -> None:
        self.lane = lane
        self.channel = channel
        self.tasks: list[TaskEntry] = []
        self.agents: list[AgentKey] = []
        self.agent_keys: dict[str, AgentKey] = {}

    def add_task(self, entry: TaskEntry) -> int:
        """Insert and return the 0-based position among this pool's tasks."""
        index = bisect.bisect_left(self.tasks, entry)
        self.tasks.insert(index, entry)
        return index

    def remove_task(self, entry: TaskEntry) -> None:
        index = bisect.bisect_left(self.tasks, entry)
        if index < len(self.tasks) and self.tasks[index] == entry:
            del self.tasks[index]

    def put_agent(self, agent_id: str, key: AgentKey | None) -> None:
        """Place the agent under `key`, or take them out with None."""
        old = self.agent_keys.get(agent_id)
        if old == key:
            return
        if old is not None:
            index = bisect.bisect_left(self.agents, old)
            del self.agents[index]
            del self.agent_keys[agent_id]
        if key is not None:
            bisect.insort(self.agents, key)
            self.agent_keys[agent_id] = key


class Lane:
    """A queue plus an optional step expression: the agents who may serve its tasks."""

    def __init__(self, queue: Queue, step_expression: str) -> None:
        self.queue = queue
        self.step_expression = step_expression
        self.key = lane_key(queue.id, step_expression)
        self.queue_expr: Expr = parse(queue.expression) if queue.expression else always()
        self.step_expr: Expr = parse(step_expression) if step_expression else always()
        self.eligible: dict[str, None] = {}
        self.pools: dict[str, Pool] = {}

    def matches(self, context: dict[str, Any]) -> bool:
        return self.queue_expr(context) and self.step_expr(context)

    def explain(self, context: dict[str, Any]) -> str:
        """Why the expression rules this agent out, with the values it read."""
        names = sorted(self.queue_expr.names | self.step_expr.names)
        values = ", ".join(f"{name}={parse(name).evaluate(context)!r}" for name in names)
        text = " and ".join(e.text for e in (self.queue_expr, self.step_expr) if e.text)
        return f"expression false: {text} ({values})"


def lane_key(queue_id: str, step_expression: str) -> str:
    return f"{queue_id}\x1f{step_expression}"


class Index:
    """All lanes, and for every agent the lanes they are eligible for."""

    def __init__(self) -> None:
        self.lanes: dict[str, Lane] = {}
        self.queue_lanes: dict[str, list[Lane]] = {}
        self.agent_lanes: dict[str, list[Lane]] = {}
        self.version = 0  # bumped whenever a lane is built or an agent's eligibility changes

    def lane(self, queue: Queue, step_expression: str, agents: dict[str, AgentRecord]) -> Lane:
        """The lane for this queue and step, built (with its eligibility) on first use."""
        key = lane_key(queue.id, step_expression)
        lane = self.lanes.get(key)
        if lane is None:
            lane = self.lanes[key] = Lane(queue, step_expression)
            self.version += 1
            self.queue_lanes.setdefault(queue.id, []).append(lane)
            for agent in agents.values():
                if lane.matches(agent.context()):
                    lane.eligible[agent.agent_id] = None
                    self.agent_lanes.setdefault(agent.agent_id, []).append(lane)
        return lane

    def pool(self, lane: Lane, channel: str) -> tuple[Pool, bool]:
        """The pool for a channel; True when it was just created and needs its agents."""
        pool = lane.pools.get(channel)
        if pool is not None:
            return pool, False
        pool = lane.pools[channel] = Pool(lane, channel)
        return pool, True

    def refresh_eligibility(self, agent: AgentRecord) -> None:
        """Re-evaluate every lane's expression for this agent (sign-in or admin update)."""
        context = agent.context()
        self.version += 1
        lanes: list[Lane] = []
        for lane in self.lanes.values():
            if lane.matches(context):
                lane.eligible[agent.agent_id] = None
                lanes.append(lane)
            else:
                lane.eligible.pop(agent.agent_id, None)
                for pool in lane.pools.values():
                    pool.put_agent(agent.agent_id, None)
        self.agent_lanes[agent.agent_id] = lanes

    def place(self, agent: AgentRecord, profile: CapacityProfile) -> None:
        """Put the agent in (or out of) every pool of their lanes, under a fresh sort key."""
        agent_id = agent.agent_id
        lanes = self.agent_lanes.get(agent_id, ())
        if not agent.routable():
            for lane in lanes:
                for pool in lane.pools.values():
                    if agent_id in pool.agent_keys:
                        pool.put_agent(agent_id, None)
            return
        held = agent.held
        fits: dict[str, bool] = {}
        for lane in lanes:
            key: AgentKey | None = None
            for channel, pool in lane.pools.items():
                fit = fits.get(channel)
                if fit is None:
                    fit = fits[channel] = capacity.refusal(profile, held, channel) is None
                if fit:
                    if key is None:
                        key = agent_key(lane.queue.strategy, agent, lane.queue.skill)
                    pool.put_agent(agent_id, key)
                elif agent_id in pool.agent_keys:
                    pool.put_agent(agent_id, None)

    def place_in_pool(self, pool: Pool, agents: dict[str, AgentRecord], profile_of: Any) -> None:
        """Fill a new pool with the lane's agents who can take its channel right now."""
        queue = pool.lane.queue
        for agent_id in pool.lane.eligible:
            agent = agents[agent_id]
            if (
                agent.routable()
                and capacity.refusal(profile_of(agent), agent.held, pool.channel) is None
            ):
                pool.put_agent(agent_id, agent_key(queue.strategy, agent, queue.skill))
