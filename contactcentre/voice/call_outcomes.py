"""Outcomes reported back by Twilio for things the IVR started: an external transfer's result.
(Answering-machine detection on dialled legs is machine_detection.py.)"""

from __future__ import annotations

import logging

from contactcentre.store.models import Interaction
from contactcentre.voice import call_state as cs
from contactcentre.voice import twiml
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event
from contactcentre.voice.params import count
from contactcentre.voice.prompts import text

log = logging.getLogger(__name__)
# DialCallStatus values meaning the outside party picked up.
TRANSFER_CONNECTED = frozenset({"completed", "answered"})


def external_transfer_done(ctx: VoiceContext, interaction_id: str, params: dict[str, str]) -> str:
    """The IVR's <Dial> to an outside number ended: TwiML for what the caller hears next.

    Answered: the caller was transferred (`transferred`) and the call ends. Busy, no answer or
    failed: `transfer_failed`, and a caller still on the line is queued for an agent instead.
    The number itself is not logged (PII)."""
    status = params.get("DialCallStatus", "")
    call = ctx.calls.get(interaction_id)
    connected = status in TRANSFER_CONNECTED
    now = ctx.clock()
    with ctx.db.session() as session:
        interaction = session.get(Interaction, interaction_id)
        if interaction is None or call is None:
            log.info("transfer result %s for unknown call %s; ignored", status, interaction_id)
            return twiml.hang_up()
        data: dict[str, str | int | bool | None] = {
            "mode": "external",
            "source": "ivr",
            "external": True,
            "dial_status": status or None,
            "duration_seconds": count(params, "DialCallDuration"),
        }
        # The caller may have hung up during the Dial; then the action is requested anyway.
        rescue = (
            not connected and call.phase == cs.IVR and params.get("CallStatus") == "in-progress"
        )
        if rescue:
            data["then"] = "queued"
        kind = "transferred" if connected else "transfer_failed"
        log_call_event(session, interaction_id, kind, now, "ivr-transfer", data=data)
        if not rescue:
            return twiml.hang_up()
        attributes = {**interaction.attributes, "intent": interaction.intent or "general"}
        ctx.routing.submit(session, interaction, attributes, priority=0, at=now)
        interaction.status = "queued"
    ctx.calls.update(interaction_id, phase=cs.QUEUED, queued_at=now.timestamp())
    failed = twiml.Sentence(text("transfer_failed", call.language), call.language)
    return twiml.say_then_go(failed, ctx.urls.queue_wait(interaction_id))
