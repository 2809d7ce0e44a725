"""Inputs to the routing engine: frozen dataclasses that travel as JSON over a Redis Stream.

`ev.from_dict(event.to_dict())` round-trips every event; `kind` names the type on the wire.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from routing.config import CHANNELS, CapacityProfile, RoutingConfig

AgentValue = str | int | float | bool | list[str]


class InvalidEvent(ValueError):
    """An event's field is out of range, e.g. a skill level outside 1-10."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            data[item.name] = value.to_dict() if hasattr(value, "to_dict") else value
        return data


def _check_skills(skills: dict[str, int]) -> None:
    for name, level in skills.items():
        if not isinstance(level, int) or not 1 <= level <= 10:
            raise InvalidEvent(f"skills.{name}", "a skill level is an integer from 1 to 10")


@dataclass(frozen=True)
class AgentSignedIn(Event):
    """An agent signs in; they become available (use AgentStateRequested for a break)."""

    kind: ClassVar[str] = "agent_signed_in"
    agent_id: str
    skills: dict[str, int] = field(default_factory=dict)
    attributes: dict[str, AgentValue] = field(default_factory=dict)
    capacity: CapacityProfile | None = None

    def __post_init__(self) -> None:
        _check_skills(self.skills)


@dataclass(frozen=True)
class AgentUpdated(Event):
    """An admin changed an agent's skills, attributes or capacity profile."""

    kind: ClassVar[str] = "agent_updated"
    agent_id: str
    skills: dict[str, int] = field(default_factory=dict)
    attributes: dict[str, AgentValue] = field(default_factory=dict)
    capacity: CapacityProfile | None = None

    def __post_init__(self) -> None:
        _check_skills(self.skills)


@dataclass(frozen=True)
class AgentStateRequested(Event):
    kind: ClassVar[str] = "agent_state_requested"
    agent_id: str
    state: str
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.state not in ("available", "break", "offline"):
            raise InvalidEvent("state", "use 'available', 'break' or 'offline'")


@dataclass(frozen=True)
class AgentSignedOut(Event):
    kind: ClassVar[str] = "agent_signed_out"
    agent_id: str


@dataclass(frozen=True)
class TaskSubmitted(Event):
    """A contact wants an agent; created_at None means "now" (the apply time)."""

    kind: ClassVar[str] = "task_submitted"
    task_id: str
    channel: str = "voice"
    attributes: dict[str, Any] = field(default_factory=dict)
    priority: int = 0
    value_boost: int = 0
    preferred_agent_id: str | None = None
    created_at: float | None = None

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise InvalidEvent("channel", f"use one of {CHANNELS}")


@dataclass(frozen=True)
class OfferAccepted(Event):
    kind: ClassVar[str] = "offer_accepted"
    reservation_id: str


@dataclass(frozen=True)
class OfferRejected(Event):
    kind: ClassVar[str] = "offer_rejected"
    reservation_id: str
    reason: str | None = None


@dataclass(frozen=True)
class TaskCanceled(Event):
    kind: ClassVar[str] = "task_canceled"
    task_id: str
    reason: str = "caller_hangup"


@dataclass(frozen=True)
class TaskCompleted(Event):
    kind: ClassVar[str] = "task_completed"
    task_id: str


@dataclass(frozen=True)
class WrapUpEnded(Event):
    kind: ClassVar[str] = "wrap_up_ended"
    agent_id: str
    task_id: str


@dataclass(frozen=True)
class TaskTransferred(Event):
    """Move a task to a queue or an agent; with neither it leaves the contact centre."""

    kind: ClassVar[str] = "task_transferred"
    task_id: str
    to_queue_id: str | None = None
    to_agent_id: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.to_queue_id is not None and self.to_agent_id is not None:
            raise InvalidEvent("to_queue_id", "transfer to a queue or to an agent, not both")


@dataclass(frozen=True)
class TaskRequeued(Event):
    kind: ClassVar[str] = "task_requeued"
    task_id: str
    reason: str = ""


@dataclass(frozen=True)
class Tick(Event):
    """Fire every timer whose deadline is <= now."""

    kind: ClassVar[str] = "tick"


@dataclass(frozen=True)
class ConfigChanged(Event):
    kind: ClassVar[str] = "config_changed"
    config: RoutingConfig


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        AgentSignedIn,
        AgentUpdated,
        AgentStateRequested,
        AgentSignedOut,
        TaskSubmitted,
        OfferAccepted,
        OfferRejected,
        TaskCanceled,
        TaskCompleted,
        WrapUpEnded,
        TaskTransferred,
        TaskRequeued,
        Tick,
        ConfigChanged,
    )
}


def from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from its to_dict() form; unknown kinds raise InvalidEvent."""
    cls = EVENT_TYPES.get(data.get("kind", ""))
    if cls is None:
        raise InvalidEvent("kind", f"unknown event kind {data.get('kind')!r}")
    values = {key: value for key, value in data.items() if key != "kind"}
    if values.get("capacity") is not None:
        values["capacity"] = CapacityProfile.from_dict(values["capacity"])
    if "config" in values:
        values["config"] = RoutingConfig.from_dict(values["config"])
    return cls(**values)
