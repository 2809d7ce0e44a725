"""The router's notifier: each decision becomes a numbered event in its agents' and rooms' logs.

An offer carries its screen pop; the agent's desk in Redis is updated before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import redis

from contactcentre.realtime.desk import Desk
from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.realtime.rooms import SUPERVISORS, agent_room, interaction_room, queue_room

OfferHook = Callable[[dict[str, Any]], None]
BEFORE_ASSIGNMENT = frozenset({"task_queued", "offer_created", "offer_rescinded"})


class Pops(Protocol):
    def for_offer(self, interaction_id: str, queue_id: Any = None) -> dict[str, Any] | None: ...


class SequencedNotifier:
    """An EffectSink for the router's notify publisher (idempotent per outbox id for the desk;
    a redelivered entry is numbered again, and clients drop it by its effect id)."""

    def __init__(
        self,
        client: redis.Redis,
        emitter: RealtimeEmitter,
        pops: Pops | None = None,
        offer_hooks: list[OfferHook] | None = None,
    ) -> None:
        self._redis = client
        self._emitter = emitter
        self._desk = Desk(client)
        self._pops = pops
        self._offer_hooks = offer_hooks or []

    def deliver(self, entry_id: str, deliveries: list[dict[str, Any]]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        batch_offers: dict[str, dict[str, Any]] = {}
        outgoing: list[tuple[list[str], str, dict[str, Any]]] = []
        offers: list[dict[str, Any]] = []
        for index, delivery in enumerate(deliveries):
            effect = delivery["effect"]
            data = {**effect, "at": delivery["at"], "id": f"{entry_id}:{index}"}
            agent_id = self._project(pipe, data, batch_offers)
            if data["kind"] == "offer_created":
                offers.append(data)
            outgoing.append((self._rooms(data, agent_id), data["kind"], data))
        # The desk first: a console that reloads on an event already finds it up to date.
        pipe.execute()
        batch: list[tuple[str, str, dict[str, Any]]] = []
        for rooms, event, data in outgoing:
            # Supervisors see who was offered what, not the whole pop.
            summary = _without_pop(data)
            for room in rooms:
                agents = room.startswith(("agent:", "interaction:"))
                batch.append((room, event, data if agents else summary))
        # Agents' rooms first: the offer is what someone is waiting for.
        batch.sort(key=lambda item: not item[0].startswith("agent:"))
        self._emitter.emit_batch(batch)
        for offer in offers:
            for hook in self._offer_hooks:
                hook(offer)

    def _project(
        self, pipe: Any, data: dict[str, Any], batch_offers: dict[str, dict[str, Any]]
    ) -> str | None:
        """Update the desk for this effect; returns the agent the effect concerns, if any."""
        kind = data["kind"]
        agent_id = data.get("agent_id")
        task_id = data.get("task_id")
        if kind == "offer_created":
            pops = self._pops
            data["pop"] = pops.for_offer(str(task_id), data.get("queue_id")) if pops else None
            self._desk.offer(pipe, data)
            batch_offers[data["reservation_id"]] = data
        elif kind == "offer_rescinded":
            self._desk.offer_closed(pipe, str(agent_id), data["reservation_id"])
        elif kind == "task_assigned":
            offer = batch_offers.get(data["reservation_id"]) or self._offer(agent_id, data)
            self._desk.offer_closed(pipe, str(agent_id), data["reservation_id"])
            self._desk.task(pipe, str(agent_id), _task_record(data, offer))
        elif kind in ("task_ended", "wrap_up_started") and task_id:
            agent_id = agent_id or self._desk.agent_of(task_id)
            task = self._desk.get_task(str(agent_id), task_id) if agent_id else None
            if task is not None:
                if kind == "task_ended":
                    task.update(status="ended", ended_at=data["at"], outcome=data.get("outcome"))
                else:
                    task.update(status="wrap_up", wrap_up_ends_at=data.get("ends_at"))
                self._desk.task(pipe, str(agent_id), task)
        return None if agent_id is None else str(agent_id)

    def _offer(self, agent_id: Any, data: dict[str, Any]) -> dict[str, Any] | None:
        offers = self._desk.contents(str(agent_id))["offers"]
        return next((o for o in offers if o["reservation_id"] == data["reservation_id"]), None)

    @staticmethod
    def _rooms(data: dict[str, Any], agent_id: str | None) -> list[str]:
        rooms = []
        if agent_id is not None:
            rooms.append(agent_room(agent_id))
        if data.get("task_id") and data["kind"] not in BEFORE_ASSIGNMENT:
            # The contact's agent joins its room on accepting; earlier news is the agent's own.
            rooms.append(interaction_room(data["task_id"]))
        rooms.append(SUPERVISORS)
        if data.get("queue_id") is not None:
            rooms.append(queue_room(data["queue_id"]))
        return rooms


def _task_record(assigned: dict[str, Any], offer: dict[str, Any] | None) -> dict[str, Any]:
    pop = (offer or {}).get("pop") or {}
    customer = pop.get("customer") or {}
    return {
        "task_id": assigned["task_id"],
        "reservation_id": assigned["reservation_id"],
        "queue_id": assigned.get("queue_id"),
        "channel": (offer or {}).get("channel") or pop.get("channel"),
        "customer_name": customer.get("name") or (pop.get("caller") or {}).get("number"),
        "status": "active",
        "since": assigned["at"],
        "waited_seconds": assigned.get("waited_seconds"),
    }


def _without_pop(data: dict[str, Any]) -> dict[str, Any]:
    if "pop" not in data:
        return data
    pop = data.get("pop") or {}
    customer = pop.get("customer") or {}
    summary = {k: v for k, v in data.items() if k != "pop"}
    summary["customer"] = {"name": customer.get("name"), "segment": customer.get("segment")}
    return summary
