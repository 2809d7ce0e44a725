"""Read-only views of agents and tasks for supervisors and the agent desktop.

Copies, so the UI can never change routing state by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from routing.state import AgentRecord, TaskRecord


@dataclass(frozen=True)
class AgentView:
    agent_id: str
    state: str
    reason: str | None
    skills: dict[str, int]
    attributes: dict[str, Any]
    held: dict[str, int]
    offers: tuple[str, ...]
    tasks: tuple[str, ...]
    wrap_ups: dict[str, float]
    idle_since: float
    handled_today: int
    missed_in_row: int

    @classmethod
    def of(cls, agent: AgentRecord) -> AgentView:
        state, reason = agent.derived_state()
        return cls(
            agent.agent_id,
            state,
            reason,
            dict(agent.skills),
            dict(agent.attributes),
            {channel: count for channel, count in agent.held.items() if count},
            tuple(agent.offers),
            tuple(agent.tasks),
            dict(agent.wrap_ups),
            agent.idle_since,
            agent.handled_today,
            agent.missed_in_row,
        )


@dataclass(frozen=True)
class TaskView:
    task_id: str
    status: str  # held (for one agent), waiting, offered, assigned
    channel: str
    plan_id: str
    step_index: int
    queue_id: str
    priority: int
    created_at: float
    agent_id: str | None
    reservation_id: str | None

    @classmethod
    def of(cls, task: TaskRecord) -> TaskView:
        return cls(
            task.task_id,
            task.status,
            task.channel,
            task.plan_id,
            task.step_index,
            task.queue_id,
            task.priority,
            task.created_at,
            task.agent_id,
            task.reservation_id,
        )
