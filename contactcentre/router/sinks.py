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

log = logging.getLogger(__name__)

# Effect kind -> interaction event type (OfferRescinded depends on its reason).
EVENT_TYPE = {
    "task_queued": "queued",
    "offer_created": "offered",
    "task_assigned": "accepted",
    "step_changed": "step_changed",
    "task_exited": "exited",
    "wrap_up_started": "wrap_up",
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

    def deliver(self, entry_id: str, deliveries: list[dict[str, Any]]) -> None:
        task_ids = {d["effect"].get("task_id") for d in deliveries} - {None}
        if not task_ids:
            return
        with self._db.session() as session:
            known = set(session.scalars(select(Interaction.id).where(Interaction.id.in_(task_ids))))
            for index, delivery in enumerate(deliveries):
                effect = delivery["effect"]
                task_id = effect.get("task_id")
                kind = _event_type(effect)
                if task_id not in known or kind is None:
                    continue  # tasks not backed by an interaction (simulations, dry runs)
                data = {k: v for k, v in effect.items() if k not in ("kind", "task_id")}
                if delivery.get("trace"):
                    data["trace"] = delivery["trace"]
                event_log.append(
                    session,
                    NewEvent(
                        interaction_id=task_id,
                        type=kind,
                        actor="router",
                        occurred_at=datetime.fromtimestamp(delivery["at"], UTC),
                        idempotency_key=f"route:{entry_id}:{index}",
                        data=data,
                    ),
                )
                _project(session.get(Interaction, task_id), effect, delivery["at"])


RESCINDED_TYPE = {"rejected": "rejected", "expired": "offer_expired"}


def _event_type(effect: dict[str, Any]) -> str | None:
    kind = effect["kind"]
    if kind == "offer_rescinded":
        # Only an offer that rang out is the agent's miss; one taken back because the caller
        # hung up, the task left or the agent went offline is nobody's miss.
        return RESCINDED_TYPE.get(effect.get("reason", ""), "offer_withdrawn")
    if kind == "task_ended":
        return ENDED_TYPE.get(effect.get("outcome", ""), "completed")
    return EVENT_TYPE.get(kind)


def _project(interaction: Interaction | None, effect: dict[str, Any], at: float) -> None:
    """Keep the interaction row's current status in step with the log (a projection)."""
    if interaction is None:
        return
    kind = effect["kind"]
    if kind == "task_queued":
        interaction.status, interaction.queue_id = "queued", int(effect["queue_id"])
    elif kind == "offer_created":
        interaction.status = "offered"
    elif kind == "task_assigned":
        interaction.status = "assigned"
        interaction.agent_id = int(effect["agent_id"])
    elif kind == "wrap_up_started":
        interaction.status = "wrap_up"
    elif kind == "task_ended":
        interaction.status = effect["outcome"]
        interaction.ended_at = interaction.ended_at or datetime.fromtimestamp(at, UTC)


class RedisProjection:
    """Who holds which offer and which state each agent is in, for the web processes."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def deliver(self, entry_id: str, deliveries: list[dict[str, Any]]) -> None:
        self.deliver_batch([(entry_id, deliveries)])

    def deliver_batch(self, entries: list[tuple[str, list[dict[str, Any]]]]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        self.write(pipe, entries)
        if len(pipe):
            pipe.execute()

    def write(self, pipe: Any, entries: list[tuple[str, list[dict[str, Any]]]]) -> None:
        """Queue the projection's writes on `pipe` (the notifier's, ahead of its events)."""
        for delivery in (d for _entry_id, deliveries in entries for d in deliveries):
            effect = delivery["effect"]
            kind = effect["kind"]
            if kind == "offer_created":
                key = RESERVATION + effect["reservation_id"]
                pipe.hset(
                    key,
                    mapping={
                        "agent_id": effect["agent_id"],
                        "task_id": effect["task_id"],
                        "expires_at": effect["expires_at"],
                        "state": "offered",
                    },
                )
                pipe.expire(key, RESERVATION_TTL_SECONDS)
            elif kind in ("offer_rescinded", "task_assigned"):
                key = RESERVATION + effect["reservation_id"]
                state = "accepted" if kind == "task_assigned" else effect["reason"]
                pipe.hset(key, "state", state)
                pipe.expire(key, RESERVATION_TTL_SECONDS)
            if kind == "task_assigned":
                pipe.hset(
                    TASK + effect["task_id"],
                    mapping={"agent_id": effect["agent_id"], "status": "assigned"},
                )
                pipe.expire(TASK + effect["task_id"], RESERVATION_TTL_SECONDS * 24)
            elif kind == "task_ended":
                pipe.hset(TASK + effect["task_id"], "status", "ended")
                pipe.expire(TASK + effect["task_id"], RESERVATION_TTL_SECONDS)
            elif kind == "agent_state_changed":
                pipe.hset(
                    AGENT_STATE + effect["agent_id"],
                    mapping={
                        "state": effect["state"],
                        "reason": effect["reason"] or "",
                        "since": effect["since"],
                    },
                )
