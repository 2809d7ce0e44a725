"""Routing configuration: queues, routing plans and agent capacity profiles as plain dataclasses.

Each constructor validates itself in __post_init__ and fails with ConfigError(field, message).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from routing.expression import ExpressionError, parse

CHANNELS: Final = ("voice", "chat", "email", "outbound")
STRATEGIES: Final = (
    "longest_idle",
    "most_skilled",
    "round_robin",
    "fewest_handled",
    "weighted_random",
    "least_needed",
)
EXITS: Final = ("callback", "voicemail", "message")
AGENT_CHOICES: Final = ("best_ranked", "longest_queue", "least_covered")


class ConfigError(ValueError):
    """A configuration value is invalid: `field` names it, `message` says what to do."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def _check_expression(field_name: str, text: str | None) -> None:
    if text:
        try:
            parse(text)
        except ExpressionError as error:
            raise ConfigError(field_name, error.message) from None


def _check_channels(field_name: str, mapping: dict[str, int], minimum: int) -> None:
    for channel, value in mapping.items():
        if channel not in CHANNELS:
            raise ConfigError(field_name, f"unknown channel {channel!r}; use one of {CHANNELS}")
        if not isinstance(value, int) or value < minimum:
            raise ConfigError(f"{field_name}.{channel}", f"must be an integer >= {minimum}")


@dataclass(frozen=True)
class CrossChannelRule:
    """No new `channel` task while the agent has at least `at_least` open `when_channel` tasks."""

    channel: str
    when_channel: str
    at_least: int

    def __post_init__(self) -> None:
        for name in ("channel", "when_channel"):
            if getattr(self, name) not in CHANNELS:
                raise ConfigError(name, f"unknown channel; use one of {CHANNELS}")
        if self.at_least < 1:
            raise ConfigError("at_least", "must be >= 1")

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "when_channel": self.when_channel,
            "at_least": self.at_least,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrossChannelRule:
        return cls(data["channel"], data["when_channel"], int(data["at_least"]))


def _default_units() -> dict[str, int]:
    return {"voice": 15, "chat": 5, "email": 3, "outbound": 15}


def _default_limits() -> dict[str, int]:
    return {"voice": 1, "chat": 3, "email": 5, "outbound": 1}


@dataclass(frozen=True)
class CapacityProfile:
    """How much work an agent holds at once across channels.

    A task of channel c costs units[c] (default 1) out of total_units (None = no shared budget);
    at most limits[c] tasks of c are open (a missing channel means the agent never takes it);
    rules add cross-channel bans. The default reads "one call, or three chats, or five emails".
    """

    units: dict[str, int] = field(default_factory=_default_units)
    limits: dict[str, int] = field(default_factory=_default_limits)
    rules: list[CrossChannelRule] = field(default_factory=list)
    total_units: int | None = 15

    def __post_init__(self) -> None:
        _check_channels("units", self.units, 1)
        _check_channels("limits", self.limits, 0)
        if self.total_units is not None and self.total_units < 1:
            raise ConfigError("total_units", "must be >= 1 or None for no shared budget")

    def to_dict(self) -> dict[str, Any]:
        return {
            "units": dict(self.units),
            "limits": dict(self.limits),
            "rules": [rule.to_dict() for rule in self.rules],
            "total_units": self.total_units,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CapacityProfile:
        return cls(
            units=dict(data.get("units", _default_units())),
            limits=dict(data.get("limits", _default_limits())),
            rules=[CrossChannelRule.from_dict(rule) for rule in data.get("rules", [])],
            total_units=data.get("total_units", 15),
        )


@dataclass(frozen=True)
class Queue:
    """Who may take work (expression over agents) and in which order (strategy)."""

    id: str
    name: str = ""
    expression: str = ""
    strategy: str = "longest_idle"
    skill: str | None = None
    wrap_up_seconds: float = 0.0
    offer_timeout_seconds: float = 20.0
    max_missed_offers: int = 3
    sla_target_seconds: float = 20.0

    def __post_init__(self) -> None:
        if not self.id:
            raise ConfigError("id", "a queue needs a non-empty id")
        _check_expression("expression", self.expression)
        if self.strategy not in STRATEGIES:
            raise ConfigError("strategy", f"unknown strategy {self.strategy!r}; use {STRATEGIES}")
        if self.wrap_up_seconds < 0:
            raise ConfigError("wrap_up_seconds", "must be >= 0")
        if self.offer_timeout_seconds <= 0:
            raise ConfigError("offer_timeout_seconds", "must be > 0")
        if self.max_missed_offers < 0:
            raise ConfigError(
                "max_missed_offers", "must be >= 0 (0 disables the missed-offer break)"
            )
        if self.sla_target_seconds <= 0:
            raise ConfigError("sla_target_seconds", "must be > 0")

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Queue:
        return cls(**data)


@dataclass(frozen=True)
class PlanStep:
    """One step of a routing plan: wait in a queue (optionally narrowed) or exit the task."""

    queue_id: str | None = None
    expression: str | None = None
    priority_change: int = 0
    timeout_seconds: float | None = None
    exit: str | None = None

    def __post_init__(self) -> None:
        if (self.queue_id is None) == (self.exit is None):
            raise ConfigError("queue_id", "a step either names a queue or an exit, not both")
        if self.exit is not None and self.exit not in EXITS:
            raise ConfigError("exit", f"unknown exit {self.exit!r}; use one of {EXITS}")
        _check_expression("expression", self.expression)
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise ConfigError("timeout_seconds", "must be > 0, or None to wait in this step")

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanStep:
        return cls(**data)


@dataclass(frozen=True)
class RoutingPlan:
    """A workflow: a filter over task attributes picks it, then its steps run in order."""

    id: str
    name: str = ""
    filter: str = ""
    priority: int = 0
    steps: list[PlanStep] = field(default_factory=list)
    max_wait_seconds: float = 600.0
    max_value_boost: int = 0
    preferred_agent_seconds: float = 0.0

    def __post_init__(self) -> None:
        if not self.id:
            raise ConfigError("id", "a routing plan needs a non-empty id")
        _check_expression("filter", self.filter)
        if not self.steps:
            raise ConfigError("steps", "a routing plan needs at least one step")
        if self.max_wait_seconds <= 0:
            raise ConfigError("max_wait_seconds", "must be > 0: every customer has a maximum wait")
        if self.max_value_boost < 0:
            raise ConfigError("max_value_boost", "must be >= 0")
        if self.preferred_agent_seconds < 0:
            raise ConfigError("preferred_agent_seconds", "must be >= 0 (0 disables it)")

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["steps"] = [step.to_dict() for step in self.steps]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoutingPlan:
        data = dict(data)
        data["steps"] = [PlanStep.from_dict(step) for step in data.get("steps", [])]
        return cls(**data)


@dataclass(frozen=True)
class RoutingConfig:
    """Everything the engine routes by.

    Plans are tried by descending priority (then id); the first whose filter matches wins, else
    default_plan_id, else the last plan tried. priority_aging_seconds is how many seconds of
    waiting are worth one priority point (None = strict priority, which can starve old tasks).

    How a freed agent picks among the tasks first in line in each of its queues:
    skill_preference_seconds is how many seconds of waiting one level of the agent's skill in a
    queue's skill is worth to that agent (0 = the best-ranked task wins regardless of skill;
    with levels 10 and 5, 2.0 means "primary queue first unless the other task has waited 10 s
    longer"). agent_choice "longest_queue" makes the agent serve the pool with the most waiting
    tasks first (ties by that adjusted rank). agent_choice "least_covered" moves a queue's
    first task earlier by cover_pressure_seconds for each task waiting in the other queues of
    that queue's other agents (weighted by the share of its agents they hold), so the queue
    whose other agents are drawn away elsewhere is served first; with full cross-training it
    changes nothing. None of these changes the order within a queue.
    """

    queues: list[Queue] = field(default_factory=list)
    plans: list[RoutingPlan] = field(default_factory=list)
    default_capacity: CapacityProfile = field(default_factory=CapacityProfile)
    priority_aging_seconds: float | None = 60.0
    default_plan_id: str | None = None
    skill_preference_seconds: float = 0.0
    agent_choice: str = "best_ranked"
    cover_pressure_seconds: float = 120.0

    def __post_init__(self) -> None:
        queue_ids = [queue.id for queue in self.queues]
        if len(set(queue_ids)) != len(queue_ids):
            raise ConfigError("queues", "queue ids must be unique")
        plan_ids = [plan.id for plan in self.plans]
        if len(set(plan_ids)) != len(plan_ids):
            raise ConfigError("plans", "routing plan ids must be unique")
        for plan in self.plans:
            for index, step in enumerate(plan.steps):
                if step.queue_id is not None and step.queue_id not in queue_ids:
                    raise ConfigError(
                        f"plans.{plan.id}.steps.{index}.queue_id",
                        f"unknown queue {step.queue_id!r}",
                    )
        if self.default_plan_id is not None and self.default_plan_id not in plan_ids:
            raise ConfigError("default_plan_id", f"unknown plan {self.default_plan_id!r}")
        if self.priority_aging_seconds is not None and self.priority_aging_seconds <= 0:
            raise ConfigError("priority_aging_seconds", "must be > 0, or None for strict priority")
        if not 0 <= self.skill_preference_seconds < float("inf"):
            raise ConfigError(
                "skill_preference_seconds", "must be a finite number >= 0 (0 disables it)"
            )
        if not 0 <= self.cover_pressure_seconds < float("inf"):
            raise ConfigError(
                "cover_pressure_seconds", "must be a finite number >= 0 (seconds per waiting task)"
            )
        if self.agent_choice not in AGENT_CHOICES:
            raise ConfigError(
                "agent_choice", f"unknown choice {self.agent_choice!r}; use {AGENT_CHOICES}"
            )

    def queue(self, queue_id: str) -> Queue | None:
        for queue in self.queues:
            if queue.id == queue_id:
                return queue
        return None

    def plans_in_order(self) -> list[RoutingPlan]:
        return sorted(self.plans, key=lambda plan: (-plan.priority, plan.id))

    def to_dict(self) -> dict[str, Any]:
        return {
            "queues": [queue.to_dict() for queue in self.queues],
            "plans": [plan.to_dict() for plan in self.plans],
            "default_capacity": self.default_capacity.to_dict(),
            "priority_aging_seconds": self.priority_aging_seconds,
            "default_plan_id": self.default_plan_id,
            "skill_preference_seconds": self.skill_preference_seconds,
            "agent_choice": self.agent_choice,
            "cover_pressure_seconds": self.cover_pressure_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoutingConfig:
        return cls(
            queues=[Queue.from_dict(queue) for queue in data.get("queues", [])],
            plans=[RoutingPlan.from_dict(plan) for plan in data.get("plans", [])],
            default_capacity=CapacityProfile.from_dict(data.get("default_capacity", {})),
            priority_aging_seconds=data.get("priority_aging_seconds", 60.0),
            default_plan_id=data.get("default_plan_id"),
            skill_preference_seconds=float(data.get("skill_preference_seconds", 0.0)),
            agent_choice=data.get("agent_choice", "best_ranked"),
            cover_pressure_seconds=float(data.get("cover_pressure_seconds", 120.0)),
        )
