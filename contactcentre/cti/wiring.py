"""Builds the router's notifier with the CTI parts the settings ask for (webhook, CRM look-up),
and installs CTI's hook on task submission (screen pops built before the offer)."""

from __future__ import annotations

from typing import Any

from contactcentre.cti.cache import PopProvider, prebuild_pops
from contactcentre.cti.crm import CrmEnricher
from contactcentre.cti.webhook import ScreenPopWebhook
from contactcentre.customers.risk import policy_from
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.desk import Desk
from contactcentre.realtime.emitter import RealtimeEmitter, emitter_for
from contactcentre.realtime.notifier import OfferHook, Projection, SequencedNotifier
from contactcentre.realtime.rooms import agent_room
from contactcentre.router.client import on_tasks_submitted


def install_pop_prebuild() -> None:
    """Every process that submits tasks calls this once (its composition root)."""
    on_tasks_submitted(prebuild_pops)


def build_notifier(runtime: Runtime, projection: Projection | None = None) -> SequencedNotifier:
    settings = runtime.settings
    emitter = emitter_for(runtime)
    pops = PopProvider(
        runtime.db, runtime.redis, settings.default_phone_region, policy_from(settings)
    )
    hooks: list[OfferHook] = []
    if settings.cti_webhook_url:
        secret = settings.cti_webhook_secret
        hooks.append(ScreenPopWebhook(runtime.redis_url, settings.cti_webhook_url, secret))
    if settings.cti_lookup_url:
        sink = EnrichedPopSink(runtime, emitter, pops)
        timeout = settings.cti_lookup_timeout_seconds
        hooks.append(CrmEnricher(settings.cti_lookup_url, timeout, sink))
    return SequencedNotifier(runtime.redis, emitter, pops, hooks, projection)


class EnrichedPopSink:
    """A pop the CRM enriched (or failed to): cache it, update the ringing offer, tell the agent."""

    def __init__(self, runtime: Runtime, emitter: RealtimeEmitter, pops: PopProvider) -> None:
        self._desk = Desk(runtime.redis)
        self._redis = runtime.redis
        self._emitter = emitter
        self._pops = pops

    def __call__(self, offer: dict[str, Any], pop: dict[str, Any]) -> None:
        self._pops.put(pop)
        agent_id = str(offer["agent_id"])
        ringing = [
            o
            for o in self._desk.contents(agent_id)["offers"]
            if o["reservation_id"] == offer["reservation_id"]
        ]
        if ringing:
            pipe = self._redis.pipeline(transaction=False)
            self._desk.offer(pipe, {**ringing[0], "pop": pop})
            pipe.execute()
        self._emitter.emit(
            agent_room(agent_id),
            "pop_updated",
            {"task_id": offer["task_id"], "reservation_id": offer["reservation_id"], "pop": pop},
        )
