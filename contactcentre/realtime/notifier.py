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

OfferHook = Callable[[dict[str, Any]], None]
BEFORE_ASSIGNMENT = frozenset({"task_queued", "offer_created", "offer_rescinded"})


class Pops(Protocol):
    def for_offers(self, offers: list[tuple[str, Any]]) -> list[dict[str, Any] | None]:
        """The pops of several (interaction id, queue id) offers, in order; None if unbuildable."""
        ...


Entry = tuple[str, list[dict[str, Any]]]  # (outbox entry id, its deliveries)


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

    def deliver(self, entry_id: str, deliveries: list[dict[str, Any]]) -> None:
        self.deliver_batch([(entry_id, deliveries)])

    def deliver_batch(self, entries: list[Entry]) -> None:
        events = [
            {**delivery["effect"], "at": delivery["at"], "id": f"{entry_id}:{index}"}
            for entry_id, deliveries in entries
            for index, delivery in enumerate(deliveries)
        ]
        if not events:
            return
        offers = [data for data in events if data["kind"] == "offer_created"]
        self._attach_pops(offers)
        known = self._known_records(events)
        pipe = self._redis.pipeline(transaction=False)
        if self._projection is not None:
            # Reservation owners first: an offer that reaches a browser can be accepted.
            self._projection.write(pipe, entries)
        outgoing: list[tuple[list[str], str, dict[str, Any]]] = []
        for data in events:
            agent_id = self._project(pipe, data, known)
            outgoing.append((self._rooms(data, agent_id), data["kind"], data))
        batch: list[tuple[str, str, dict[str, Any]]] = []
        for rooms, event, data in outgoing:
            # Supervisors see who was offered what, not the whole pop.
            summary = _without_pop(data)
            for room in rooms:
                agents = room.startswith(("agent:", "interaction:"))
                batch.append((room, event, data if agents else summary))
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

    def _known_records(self, events: list[dict[str, Any]]) -> _Records:
        """Desk records this batch's events update but did not create, read in one round trip."""
        records = _Records()
        offered = {d["reservation_id"] for d in events if d["kind"] == "offer_created"}
        offered_tasks = {d["task_id"] for d in events if d["kind"] == "offer_created"}
        assigned = {
            d["task_id"]: str(d["agent_id"]) for d in events if d["kind"] == "task_assigned"
        }
        offer_reads = [
            (str(d["agent_id"]), d["reservation_id"])
            for d in events
            if d["kind"] == "task_assigned" and d["reservation_id"] not in offered
        ]
        task_reads = sorted(
            {
                d["task_id"]
                for d in events
                if d["kind"] in ("task_ended", "wrap_up_started")
                and d.get("task_id")
                and d["task_id"] not in assigned
                and d["task_id"] not in offered_tasks
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

    def _project(self, pipe: Any, data: dict[str, Any], known: _Records) -> str | None:
        """Update the desk for this effect; returns the agent the effect concerns, if any."""
        kind = data["kind"]
        agent_id = data.get("agent_id")
        task_id = data.get("task_id")
        if kind == "offer_created":
            self._desk.offer(pipe, data)
            known.offers[data["reservation_id"]] = data
            known.agents[str(task_id)] = str(agent_id)
        elif kind == "offer_rescinded":
            self._desk.offer_closed(pipe, str(agent_id), data["reservation_id"])
        elif kind == "task_assigned":
            offer = known.offers.get(data["reservation_id"])
            self._desk.offer_closed(pipe, str(agent_id), data["reservation_id"])
            task = _task_record(data, offer)
            self._desk.task(pipe, str(agent_id), task)
            known.tasks[str(task_id)] = (str(agent_id), task)
            known.agents[str(task_id)] = str(agent_id)
        elif kind in ("task_ended", "wrap_up_started") and task_id:
            agent_id = agent_id or known.agents.get(task_id)
            held = known.tasks.get(task_id)
            if held is not None:
                task = held[1]
                if kind == "task_ended":
                    task.update(status="ended", ended_at=data["at"], outcome=data.get("outcome"))
                else:
                    task.update(status="wrap_up", wrap_up_ends_at=data.get("ends_at"))
                self._desk.task(pipe, str(held[0]), task)
        return None if agent_id is None else str(agent_id)

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


@dataclass
class _Records:
    """Desk records a batch works on: offers by reservation, (agent, task record) by task."""

    offers: dict[str, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)  # task id -> agent offered or holding it


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
