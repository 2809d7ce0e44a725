"""The router's decisions acted on by the phone network: ring the reserved agent's leg, send a
caller the routing plan gives up on to voicemail, a callback or a message. Idempotent per call."""

from __future__ import annotations

import logging

from contactcentre.telephony.port import TelephonyError
from contactcentre.voice import call_state as cs
from contactcentre.voice.agent_legs import connect_agent
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.queue import EXITS
from routing.effects import TaskAssigned, TaskExited
from routing.outbox import Delivery

log = logging.getLogger(__name__)
TELEPHONY_GROUP = "telephony"  # consumer group on the router's outbox


class TelephonySink:
    """An EffectSink for the router's outbox (its own consumer group, "telephony")."""

    def __init__(self, context: VoiceContext) -> None:
        self._ctx = context

    def deliver(self, entry_id: str, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            match delivery.effect:
                case TaskAssigned() as assigned:
                    connect_agent(
                        self._ctx, assigned.task_id, assigned.agent_id, assigned.reservation_id
                    )
                case TaskExited() as exited:
                    self._exit(exited.task_id, exited.exit)

    def _exit(self, interaction_id: str, exit_kind: str) -> None:
        ctx = self._ctx
        call = ctx.calls.get(interaction_id)
        if call is None:
            return
        if call.phase != cs.QUEUED or not call.customer_sid:
            log.warning(
                "task %s exited (%s) while %s; nobody to tell",
                interaction_id,
                exit_kind,
                call.phase,
            )
            return
        if not ctx.calls.claim(interaction_id, "exit"):
            return
        kind = exit_kind if exit_kind in EXITS else ctx.settings.voice_max_wait_exit
        # The phase stays "queued" until the exit's webhook: a queue-loop request racing the
        # redirect must not hang the caller up.
        try:
            ctx.telephony.redirect(call.customer_sid, ctx.urls.queue_exit(interaction_id, kind))
        except TelephonyError as exc:
            log.info("caller of %s gone before the %s exit: %s", interaction_id, kind, exc)
