"""The router's notifier: each decision becomes a numbered event in its agents' and rooms' logs.

An offer carries its screen pop; the agent's desk in Redis is updated before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis

from contactcentre.realtime.desk import Desk
from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.realtime.rooms import SUPERVISORS, agent_room, interaction_room, queue_room
from routing.effects import (
    AgentStateChanged,
    Effect,
    OfferCreated,
    OfferRescinded,
    TaskAssigned,
    TaskEnded,
    TaskExited,
    TaskQueued,
    WrapUpStarted,
    task_of,
)
from routing.outbox import Delivery, Entry

OfferHook = Callable[[dict[str, Any]], None]  # gets the offer as its agent's browser does
# News of a task before it is assigned is its agent's own: nobody else is in its room yet.
BEFORE_ASSIGNMENT = (TaskQueued, OfferCreated, OfferRescinded)
WITH_QUEUE = (TaskQueued, OfferCreated, TaskAssigned, TaskExited)


class Pops(Protocol):
    def for_offers(self, offers: list[tuple[str, Any]]) -> list[dict[str, Any] | None]:
        """The pops of several (interaction id, queue id) offers, in order; None if unbuildable."""
        ...


class Projection(Protocol):
    def write(self, pipe: Any, entries: list[Entry]) -> None:
        """Queue writes that must land before any event of `entries` is published."""
        ...


class SequencedNotifier:
    """An EffectSink for the router's notify publisher (idempotent per outbox id for the desk;
    a redelivered entry is numbered again, and clients drop it by its effect id).

    A batch of outbox entries costs a fixed number of Redis round trips, whatever its size: one
    read of the pops (built when the task was submitted), one read of the desk records the
    batch's events update (when not in the batch), and one pipeline that writes the routing
    projections and the desks, then numbers, logs and publishes every event.
    """

    def __init__(
        self,
        client: redis.Redis,
        emitter: RealtimeEmitter,
        pops: Pops | None = None,
        offer_hooks: list[OfferHook] | None = None,
        projection: Projection | None = None,
    ) -> None:
        self._redis = client
        self._emitter = emitter
        self._desk = Desk(client)
        self._pops = pops
        self._offer_hooks = offer_hooks or []
        self._projection = projection

    def deliver(self, entry_id: str, deliveries: list[Delivery]) -> None:
        self.deliver_batch([(entry_id, deliveries)])

    def deliver_batch(self, entries: list[Entry]) -> None:
        # Each decision with the event its browsers get: the effect's fields, when, and its id
        # (clients act on an id once, whichever room brings it).
        events = [
            (d, {**d.effect.to_dict(), "at": d.at, "id": d.id})
            for _entry_id, deliveries in entries
            for d in deliveries
        ]
        if not events:
            return
        offers = [data for d, data in events if isinstance(d.effect, OfferCreated)]
        self._attach_pops(offers)
        known = self._known_records([d for d, _data in events])
        pipe = self._redis.pipeline(transaction=False)
        if self._projection is not None:
            # Reservation owners first: an offer that reaches a browser can be accepted.
            self._projection.write(pipe, entries)
        batch: list[tuple[str, str, dict[str, Any]]] = []
        for delivery, data in events:
            agent_id = self._project(pipe, delivery, data, known)
            # Supervisors see who was offered what, not the whole pop.
            summary = _without_pop(data)
            for room in self._rooms(delivery.effect, agent_id):
                agents = room.startswith(("agent:", "interaction:"))
                batch.append((room, delivery.effect.kind, data if agents else summary))
        # Agents' rooms first: the offer is what someone is waiting for.
        batch.sort(key=lambda item: not item[0].startswith("agent:"))
        # The desk is written before anything is published (same pipeline, in order): a console
        # that reloads on an event already finds it up to date.
        self._emitter.emit_batch(batch, pipe=pipe)
        for offer in offers:
            for hook in self._offer_hooks:
                hook(offer)

    def _attach_pops(self, offers: list[dict[str, Any]]) -> None:
        if not offers:
            return
        if self._pops is None:
            for offer in offers:
                offer["pop"] = None
            return
        wanted = [(str(o["task_id"]), o.get("queue_id")) for o in offers]
        for offer, pop in zip(offers, self._pops.for_offers(wanted), strict=True):
            offer["pop"] = pop

    def _known_records(self, deliveries: list[Delivery]) -> _Records:
        """Desk records this batch's events update but did not create, read in one round trip."""
        records = _Records()
        effects = [d.effect for d in deliveries]
        offered = [e for e in effects if isinstance(e, OfferCreated)]
        assigned = [e for e in effects if isinstance(e, TaskAssigned)]
        offered_reservations = {e.reservation_id for e in offered}
        held_here = {e.task_id for e in offered} | {e.task_id for e in assigned}
        offer_reads = [
            (e.agent_id, e.reservation_id)
            for e in assigned
            if e.reservation_id not in offered_reservations
        ]
        task_reads = sorted(
            {
                e.task_id
                for e in effects
                if isinstance(e, TaskEnded | WrapUpStarted)
                and e.task_id
                and e.task_id not in held_here
            }
        )
        if not offer_reads and not task_reads:
            return records
        offers, tasks = self._desk.read_many(offer_reads, task_reads)
        records.offers.update(offers)
        for task_id, (agent_id, task) in tasks.items():
            records.agents[task_id] = agent_id
            if task is not None:
                records.tasks[task_id] = (agent_id, task)
        return records

    def _project(
        self, pipe: Any, delivery: Delivery, data: dict[str, Any], known: _Records
    ) -> str | None:
        """Update the desk for this decision; returns the agent it concerns, if any.

        `data` is the event as browsers get it (an offer with its pop): the desk keeps that.
        """
        effect = delivery.effect
        match effect:
            case OfferCreated():
                self._desk.offer(pipe, data)
                known.offers[effect.reservation_id] = data
                known.agents[effect.task_id] = effect.agent_id
                return effect.agent_id
            case OfferRescinded():
                self._desk.offer_closed(pipe, effect.agent_id, effect.reservation_id)
                return effect.agent_id
            case TaskAssigned():
                offer = known.offers.get(effect.reservation_id)
                self._desk.offer_closed(pipe, effect.agent_id, effect.reservation_id)
                task = _task_record(effect, delivery.at, offer)
                self._desk.task(pipe, effect.agent_id, task)
                known.tasks[effect.task_id] = (effect.agent_id, task)
                known.agents[effect.task_id] = effect.agent_id
                return effect.agent_id
            case TaskEnded() | WrapUpStarted() if effect.task_id:
                held = known.tasks.get(effect.task_id)
                if held is not None:
                    task = held[1]
                    if isinstance(effect, TaskEnded):
                        task.update(status="ended", ended_at=delivery.at, outcome=effect.outcome)
                    else:
                        task.update(status="wrap_up", wrap_up_ends_at=effect.ends_at)
                    self._desk.task(pipe, held[0], task)
                # A task's end names no agent: the one it was offered to or held by.
                own = effect.agent_id if isinstance(effect, WrapUpStarted) else None
                return own or known.agents.get(effect.task_id)
            case AgentStateChanged() | WrapUpStarted():
                return effect.agent_id
        return None

    @staticmethod
    def _rooms(effect: Effect, agent_id: str | None) -> list[str]:
        rooms = []
        if agent_id is not None:
            rooms.append(agent_room(agent_id))
        task_id = task_of(effect)
        if task_id and not isinstance(effect, BEFORE_ASSIGNMENT):
            # The contact's agent joins its room on accepting; earlier news is the agent's own.
            rooms.append(interaction_room(task_id))
        rooms.append(SUPERVISORS)
        if isinstance(effect, WITH_QUEUE):
            rooms.append(queue_room(effect.queue_id))
        return rooms


@dataclass
class _Records:
    """Desk records a batch works on: offers by reservation, (agent, task record) by task."""

    offers: dict[str, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)  # task id -> agent offered or holding it


def _task_record(assigned: TaskAssigned, at: float, offer: dict[str, Any] | None) -> dict[str, Any]:
    pop = (offer or {}).get("pop") or {}
    customer = pop.get("customer") or {}
    return {
        "task_id": assigned.task_id,
        "reservation_id": assigned.reservation_id,
        "queue_id": assigned.queue_id,
        "channel": (offer or {}).get("channel") or pop.get("channel"),
        "customer_name": customer.get("name") or (pop.get("caller") or {}).get("number"),
        "status": "active",
        "since": at,
        "waited_seconds": assigned.waited_seconds,
    }


def _without_pop(data: dict[str, Any]) -> dict[str, Any]:
    if "pop" not in data:
        return data
    pop = data.get("pop") or {}
    customer = pop.get("customer") or {}
    summary = {k: v for k, v in data.items() if k != "pop"}
    summary["customer"] = {"name": customer.get("name"), "segment": customer.get("segment")}
    return summary
