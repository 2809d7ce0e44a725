"""Outcomes reported back by Twilio for things the IVR or dialer started: an external transfer's
result and answering-machine detection on outbound legs."""

from __future__ import annotations

import logging

from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event

log = logging.getLogger(__name__)


def external_transfer_done(ctx: VoiceContext, interaction_id: str, params: dict[str, str]) -> None:
    """The IVR's <Dial> to an outside number ended; the number itself is not logged (PII)."""
    with ctx.db.session() as session:
        log_call_event(
            session,
            interaction_id,
            "transferred",
            ctx.clock(),
            "ivr-transfer",
            data={
                "mode": "external",
                "source": "ivr",
                "dial_status": params.get("DialCallStatus"),
                "duration_seconds": params.get("DialCallDuration"),
            },
        )


def machine_detected(ctx: VoiceContext, params: dict[str, str]) -> None:
    """Async AMD result: a machine on a click-to-dial or callback leg is noted on the call."""
    leg = ctx.calls.leg(params.get("CallSid", ""))
    answered_by = params.get("AnsweredBy", "unknown")
    if leg is None:
        log.info("AMD result %s for an unknown call; ignored", answered_by)
        return
    ctx.calls.update(leg[0], answered_by=answered_by)
