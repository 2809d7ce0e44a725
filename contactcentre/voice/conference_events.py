"""Conference status callbacks as interaction events: who joined and left, holds and mutes, each
written once (keyed by the conference and Twilio's sequence number) at the time it happened."""

from __future__ import annotations

import logging

from contactcentre.voice import call_state as cs
from contactcentre.voice.agent_legs import adopt_unknown, agent_joined, log_answered
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event

log = logging.getLogger(__name__)

EVENT_TYPES = {
    "participant-join": "conference_joined",
    "participant-leave": "conference_left",
    "participant-hold": "held",
    "participant-unhold": "unheld",
    "participant-mute": "muted",
    "participant-unmute": "unmuted",
}


def conference_event(ctx: VoiceContext, params: dict[str, str]) -> None:
    event = params.get("StatusCallbackEvent", "")
    conference_sid = params.get("ConferenceSid", "")
    call_sid = params.get("CallSid", "")
    kind = EVENT_TYPES.get(event)
    if kind is None:
        return  # conference-start/end and others carry nothing the log needs
    name = params.get("FriendlyName", "")
    if params.get("ParticipantLabel") == "agent" and name.startswith(cs.conference_name("")):
        adopt_unknown(ctx, name.removeprefix(cs.conference_name("")), call_sid)
    leg = ctx.calls.leg(call_sid)
    if leg is None:
        log.info("conference event %s for unknown leg %s; ignored", event, call_sid)
        return
    interaction_id, role = leg
    call = ctx.calls.get(interaction_id)
    data: dict[str, str | None] = {"role": role, "call_sid": call_sid}
    if role in ("agent", "consult") and call is not None:
        data["agent_id"] = call.consult_agent_id if role == "consult" else call.agent_id
    if event == "participant-leave":
        data["reason"] = params.get("ReasonParticipantLeft")
    sequence = params.get("SequenceNumber") or f"{event}:{call_sid}"
    with ctx.db.session() as session:
        log_call_event(
            session,
            interaction_id,
            kind,
            ctx.clock(),
            f"conf:{conference_sid}:{sequence}",
            data=data,
        )
    if event == "participant-join" and role == "agent":
        agent_joined(ctx, interaction_id, call_sid, conference_sid)
    elif event == "participant-join" and role == "customer" and call and not call.answered_at:
        log_answered(ctx, call, call_sid)  # a callback or click-to-dial customer picked up
    if call is not None and event in ("participant-hold", "participant-unhold"):
        ctx.calls.update(interaction_id, on_hold=int(event == "participant-hold"))
    if call is not None and event in ("participant-mute", "participant-unmute") and role == "agent":
        ctx.calls.update(interaction_id, muted=int(event == "participant-mute"))
