"""Outputs of the routing engine: what the router must do (offer, announce, end) as dataclasses.

Effects that come from a decision carry `trace_id`, the key of the decision in engine.trace().
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Effect:
    kind: ClassVar[str] = "effect"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for item in dataclasses.fields(self):
            data[item.name] = getattr(self, item.name)
        return data


@dataclass(frozen=True)
class TaskQueued(Effect):
    kind: ClassVar[str] = "task_queued"
    task_id: str
    queue_id: str
    plan_id: str
    step_index: int
    priority: int
    position: int
    trace_id: str = ""


@dataclass(frozen=True)
class OfferCreated(Effect):
    kind: ClassVar[str] = "offer_created"
    reservation_id: str
    task_id: str
    agent_id: str
    queue_id: str
    expires_at: float
    channel: str
    trace_id: str = ""


@dataclass(frozen=True)
class OfferRescinded(Effect):
    """reason: "canceled", "expired", "rejected", "agent_offline" or "exited"."""

    kind: ClassVar[str] = "offer_rescinded"
    reservation_id: str
    task_id: str
    agent_id: str
    reason: str
    trace_id: str = ""


@dataclass(frozen=True)
class TaskAssigned(Effect):
    kind: ClassVar[str] = "task_assigned"
    reservation_id: str
    task_id: str
    agent_id: str
    queue_id: str
    waited_seconds: float
    trace_id: str = ""


@dataclass(frozen=True)
class StepChanged(Effect):
    kind: ClassVar[str] = "step_changed"
    task_id: str
    from_step: int
    to_step: int
    reason: str
    trace_id: str = ""


@dataclass(frozen=True)
class TaskExited(Effect):
    """exit: "callback", "voicemail", "message" or "max_wait"."""

    kind: ClassVar[str] = "task_exited"
    task_id: str
    exit: str
    queue_id: str
    trace_id: str = ""


@dataclass(frozen=True)
class TaskEnded(Effect):
    """outcome: "completed", "canceled", "exited" or "transferred_out"; exactly once per task."""

    kind: ClassVar[str] = "task_ended"
    task_id: str
    outcome: str
    trace_id: str = ""


@dataclass(frozen=True)
class AgentStateChanged(Effect):
    """state: "offline", "available", "busy", "wrap-up" or "break" (reason = break code)."""

    kind: ClassVar[str] = "agent_state_changed"
    agent_id: str
    state: str
    reason: str | None
    since: float
    trace_id: str = ""


@dataclass(frozen=True)
class WrapUpStarted(Effect):
    kind: ClassVar[str] = "wrap_up_started"
    agent_id: str
    task_id: str
    ends_at: float
    trace_id: str = ""


EFFECT_TYPES: dict[str, type[Effect]] = {
    cls.kind: cls
    for cls in (
        TaskQueued,
        OfferCreated,
        OfferRescinded,
        TaskAssigned,
        StepChanged,
        TaskExited,
        TaskEnded,
        AgentStateChanged,
        WrapUpStarted,
    )
}


# The field types effects use, as written in their annotations, and what JSON gives for each.
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "str | None": (str, type(None)),
}


def from_dict(data: dict[str, Any]) -> Effect:
    """Rebuild an effect from its to_dict() form.

    Raises ValueError for an unknown kind, a missing field or a field of the wrong type. Fields
    this version does not know are left out: a newer router may add one during a rolling restart.
    """
    cls = EFFECT_TYPES.get(data.get("kind", ""))
    if cls is None:
        raise ValueError(f"unknown effect kind {data.get('kind')!r}")
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):
        if item.name not in data:
            if item.default is dataclasses.MISSING:
                raise ValueError(f"{cls.kind}: field {item.name!r} is missing")
            continue
        value = data[item.name]
        expected = _JSON_TYPES.get(str(item.type), (object,))
        # bool is an int to isinstance(); a flag in a count is still the wrong type.
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            raise ValueError(f"{cls.kind}: field {item.name!r} is not {item.type}: {value!r}")
        # A float may arrive as an int (a wait of 0, not 0.0); the dataclass promises a float.
        values[item.name] = float(data[item.name]) if str(item.type) == "float" else value
    return cls(**values)


# Every effect about one task (all but AgentStateChanged); isinstance() with it narrows the type.
TASK_EFFECTS = (
    TaskQueued,
    OfferCreated,
    OfferRescinded,
    TaskAssigned,
    StepChanged,
    TaskExited,
    TaskEnded,
    WrapUpStarted,
)


def task_of(effect: Effect) -> str | None:
    """The task an effect is about; None for an agent's state change."""
    return effect.task_id if isinstance(effect, TASK_EFFECTS) else None
