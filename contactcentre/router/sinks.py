"""Where routing decisions go: the interaction event log and Redis projections.

Both are idempotent per outbox entry, so at-least-once delivery never doubles anything.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import redis
from sqlalchemy import select

from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.router.streams import AGENT_STATE, RESERVATION, TASK
from contactcentre.store.db import Database
from contactcentre.store.models import Interaction
from routing.effects import (
    AgentStateChanged,
    Effect,
    OfferCreated,
    OfferRescinded,
    StepChanged,
    TaskAssigned,
    TaskEnded,
    TaskExited,
    TaskQueued,
    WrapUpStarted,
    task_of,
)
from routing.outbox import Delivery, Entry

log = logging.getLogger(__name__)

# Decision -> interaction event type (OfferRescinded's depends on its reason, TaskEnded's on
# its outcome).
EVENT_TYPE: dict[type[Effect], str] = {
    TaskQueued: "queued",
    OfferCreated: "offered",
    TaskAssigned: "accepted",
    StepChanged: "step_changed",
    TaskExited: "exited",
    WrapUpStarted: "wrap_up",
}
ENDED_TYPE = {
    "completed": "completed",
    "canceled": "canceled",
    "exited": "exited",
    "transferred_out": "transferred",
}
RESERVATION_TTL_SECONDS = 3600


class EventLogSink:
    """Writes each task-level decision as an interaction event, with its routing trace."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def deliver(self, entry_id: str, deliveries: list[Delivery]) -> None:
        task_ids = {task_of(d.effect) for d in deliveries} - {None}
        if not task_ids:
            return
        with self._db.session() as session:
            known = set(session.scalars(select(Interaction.id).where(Interaction.id.in_(task_ids))))
            for delivery in deliveries:
                effect = delivery.effect
                task_id = task_of(effect)
                kind = _event_type(effect)
                if task_id not in known or kind is None:
                    continue  # tasks not backed by an interaction (simulations, dry runs)
                data = {k: v for k, v in effect.to_dict().items() if k not in ("kind", "task_id")}
                if delivery.trace:
                    data["trace"] = delivery.trace
                event_log.append(
                    session,
                    NewEvent(
                        interaction_id=task_id,
                        type=kind,
                        actor="router",
                        occurred_at=datetime.fromtimestamp(delivery.at, UTC),
                        idempotency_key=f"route:{delivery.id}",
                        data=data,
                    ),
                )
                _project(session.get(Interaction, task_id), effect, delivery.at)


RESCINDED_TYPE = {"rejected": "rejected", "expired": "offer_expired"}


def _event_type(effect: Effect) -> str | None:
    """The interaction event a decision is logged as; None for decisions about agents only."""
    if isinstance(effect, OfferRescinded):
        # Only an offer that rang out is the agent's miss; one taken back because the caller
        # hung up, the task left or the agent went offline is nobody's miss.
        return RESCINDED_TYPE.get(effect.reason, "offer_withdrawn")
    if isinstance(effect, TaskEnded):
        return ENDED_TYPE.get(effect.outcome, "completed")
    return EVENT_TYPE.get(type(effect))


def _project(interaction: Interaction | None, effect: Effect, at: float) -> None:
    """Keep the interaction row's current status in step with the log (a projection)."""
    if interaction is None:
        return
    match effect:
        case TaskQueued():
            interaction.status, interaction.queue_id = "queued", int(effect.queue_id)
        case OfferCreated():
            interaction.status = "offered"
        case TaskAssigned():
            interaction.status = "assigned"
            interaction.agent_id = int(effect.agent_id)
        case WrapUpStarted():
            interaction.status = "wrap_up"
        case TaskEnded():
            interaction.status = effect.outcome
            interaction.ended_at = interaction.ended_at or datetime.fromtimestamp(at, UTC)


class RedisProjection:
    """Who holds which offer and which state each agent is in, for the web processes."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def deliver(self, entry_id: str, deliveries: list[Delivery]) -> None:
        self.deliver_batch([(entry_id, deliveries)])

    def deliver_batch(self, entries: list[Entry]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        self.write(pipe, entries)
        if len(pipe):
            pipe.execute()

    def write(self, pipe: Any, entries: list[Entry]) -> None:
        """Queue the projection's writes on `pipe` (the notifier's, ahead of its events)."""
        for delivery in (d for _entry_id, deliveries in entries for d in deliveries):
            match delivery.effect:
                case OfferCreated() as offer:
                    _reservation(
                        pipe,
                        offer.reservation_id,
                        {
                            "agent_id": offer.agent_id,
                            "task_id": offer.task_id,
                            "expires_at": offer.expires_at,
                            "state": "offered",
                        },
                    )
                case OfferRescinded() as rescinded:
                    _reservation(pipe, rescinded.reservation_id, {"state": rescinded.reason})
                case TaskAssigned() as assigned:
                    _reservation(pipe, assigned.reservation_id, {"state": "accepted"})
                    pipe.hset(
                        TASK + assigned.task_id,
                        mapping={"agent_id": assigned.agent_id, "status": "assigned"},
                    )
                    pipe.expire(TASK + assigned.task_id, RESERVATION_TTL_SECONDS * 24)
                case TaskEnded() as ended:
                    pipe.hset(TASK + ended.task_id, "status", "ended")
                    pipe.expire(TASK + ended.task_id, RESERVATION_TTL_SECONDS)
                case AgentStateChanged() as changed:
                    pipe.hset(
                        AGENT_STATE + changed.agent_id,
                        mapping={
                            "state": changed.state,
                            "reason": changed.reason or "",
                            "since": changed.since,
                        },
                    )


def _reservation(pipe: Any, reservation_id: str, fields: dict[str, Any]) -> None:
    pipe.hset(RESERVATION + reservation_id, mapping=fields)
    pipe.expire(RESERVATION + reservation_id, RESERVATION_TTL_SECONDS)
