"""The engine's mutable records: agents, tasks and reservations, each with a JSON form.

These are the source of truth; every index in routing/pools.py can be rebuilt from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from routing.config import CapacityProfile


@dataclass
class AgentRecord:
    agent_id: str
    skills: dict[str, int]
    attributes: dict[str, Any]
    capacity: CapacityProfile | None
    presence: str = "available"  # what the agent asked for: available, break, offline
    break_reason: str | None = None
    held: dict[str, int] = field(default_factory=dict)  # open tasks + offers per channel
    offers: list[str] = field(default_factory=list)  # reservation ids
    tasks: list[str] = field(default_factory=list)  # assigned task ids
    wrap_ups: dict[str, float] = field(default_factory=dict)  # task id -> ends_at
    idle_since: float = 0.0
    handled_today: int = 0
    missed_in_row: int = 0
    reported_state: str = "offline"
    reported_reason: str | None = None
    held_for: list[str] = field(default_factory=list)  # tasks waiting for this agent only

    def context(self) -> dict[str, Any]:
        """What queue expressions read: attributes, then skills and agent_id on top."""
        return {**self.attributes, "skills": self.skills, "agent_id": self.agent_id}

    def routable(self) -> bool:
        """Signed in, not on break and not wrapping up: may receive new offers."""
        return self.presence == "available" and not self.wrap_ups

    def derived_state(self) -> tuple[str, str | None]:
        if self.presence == "offline":
            return "offline", None
        if self.tasks or self.offers:
            return "busy", None
        if self.wrap_ups:
            return "wrap-up", None
        if self.presence == "break":
            return "break", self.break_reason
        return "available", None

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["capacity"] = None if self.capacity is None else self.capacity.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AgentRecord:
        data = dict(data)
        if data.get("capacity") is not None:
            data["capacity"] = CapacityProfile.from_dict(data["capacity"])
        return cls(**data)


@dataclass
class TaskRecord:
    task_id: str
    channel: str
    attributes: dict[str, Any]
    base_priority: int
    value_boost: int  # already clamped to the plan's max_value_boost
    preferred_agent_id: str | None
    created_at: float
    plan_id: str
    seq: int  # arrival order, the last tie-break
    max_wait_seconds: float = 600.0  # from the plan at submission; survives config changes
    step_index: int = 0
    priority: int = 0
    status: str = "new"  # held, waiting, offered, assigned
    queue_id: str = ""
    step_expression: str = ""
    step_entered_at: float = 0.0
    transferred: bool = False  # a transfer pins the queue and stops step timeouts
    held_for: str | None = None  # agent id the task waits for (preferred agent, transfer)
    excluded: list[str] = field(default_factory=list)  # rejected or missed it in this step
    reservation_id: str | None = None
    agent_id: str | None = None
    queued_at: float = 0.0
    assigned_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskRecord:
        return cls(**data)


@dataclass
class Reservation:
    reservation_id: str
    task_id: str
    agent_id: str
    queue_id: str
    expires_at: float
    channel: str
    trace_id: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reservation:
        return cls(**data)
