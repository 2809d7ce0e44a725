"""Small builders for routing engine tests: a config, an engine, and effect filters."""

from __future__ import annotations

from typing import Any, TypeVar

from routing import effects as fx
from routing import events as ev
from routing.config import PlanStep, Queue, RoutingConfig, RoutingPlan
from routing.engine import Engine

E = TypeVar("E", bound=fx.Effect)


def config(
    *queues: Queue,
    plans: list[RoutingPlan] | None = None,
    aging: float | None = None,
    **kwargs: Any,
) -> RoutingConfig:
    """Queues plus, by default, one catch-all plan per the first queue."""
    queue_list = list(queues) or [Queue("support")]
    if plans is None:
        plans = [RoutingPlan("default", steps=[PlanStep(queue_list[0].id)])]
    return RoutingConfig(queues=queue_list, plans=plans, priority_aging_seconds=aging, **kwargs)


def engine(*queues: Queue, seed: int = 0, **kwargs: Any) -> Engine:
    return Engine(config(*queues, **kwargs), seed=seed)


def of(effects: list[fx.Effect], kind: type[E]) -> list[E]:
    return [effect for effect in effects if isinstance(effect, kind)]


def offers(effects: list[fx.Effect]) -> list[fx.OfferCreated]:
    return of(effects, fx.OfferCreated)


def sign_in(e: Engine, agent_id: str, now: float = 0.0, **skills: int) -> list[fx.Effect]:
    return e.apply(ev.AgentSignedIn(agent_id, skills or {"general": 5}), now)


def submit(e: Engine, task_id: str, now: float = 0.0, **kwargs: Any) -> list[fx.Effect]:
    return e.apply(ev.TaskSubmitted(task_id, **kwargs), now)


def offered_agent(effects: list[fx.Effect]) -> str | None:
    made = offers(effects)
    return made[0].agent_id if made else None


# One of every effect the engine makes, for round-trip tests of their wire forms.
SAMPLES: list[fx.Effect] = [
    fx.TaskQueued("t", "q", "p", 0, 3, 1, "d1"),
    fx.OfferCreated("r", "t", "a", "q", 20.0, "voice", "d2"),
    fx.OfferRescinded("r", "t", "a", "expired", "d3"),
    fx.TaskAssigned("r", "t", "a", "q", 4.5, "d4"),
    fx.StepChanged("t", 0, 1, "timeout 30s", "d5"),
    fx.TaskExited("t", "voicemail", "q", "d6"),
    fx.TaskEnded("t", "completed", "d7"),
    fx.AgentStateChanged("a", "break", "missed_offer", 9.0),
    fx.WrapUpStarted("a", "t", 40.0),
]
