"""Answering-machine detection on the customer legs we dial (callbacks, click-to-dial): a person
joins the waiting agent; a machine or fax never does: it gets a short message, or a hang-up."""

from __future__ import annotations

import logging

from contactcentre.telephony.port import TelephonyError
from contactcentre.voice import call_state as cs
from contactcentre.voice import twiml
from contactcentre.voice.conference_join import customer_seat
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event
from contactcentre.voice.hangups import _finish, _hang_up
from contactcentre.voice.params import count
from contactcentre.voice.prompts import text

log = logging.getLogger(__name__)
# Twilio's AnsweredBy values. "unknown" connects: a person wrongly taken for a machine would be
# an abandoned call, which the law counts against us (a missed machine costs the agent seconds).
AFTER_THE_BEEP = frozenset({"machine_end_beep", "machine_end_silence", "machine_end_other"})
MACHINES = AFTER_THE_BEEP | {"machine_start", "fax"}
CONNECT, MESSAGE, HANG_UP = "connected", "message", "hung_up"


def amd_mode() -> str:
    """DetectMessageEnd waits for the beep, so a message lands on the tape; a person is reported
    as soon as with Enable."""
    return "DetectMessageEnd" if text("machine_message", "en") else "Enable"


def outcome(answered_by: str, language: str) -> str:
    if answered_by not in MACHINES:
        return CONNECT
    if answered_by in AFTER_THE_BEEP and text("machine_message", language):
        return MESSAGE
    return HANG_UP


def customer_leg_twiml(ctx: VoiceContext, interaction_id: str, params: dict[str, str]) -> str:
    """The dialled customer answered (after the AMD verdict): into the agent's conference, or the
    machine's message and the end of the call."""
    call = ctx.calls.get(interaction_id)
    call_sid = params.get("CallSid", "")
    if call is None or call.phase != cs.CONNECTED or call.customer_sid != call_sid:
        log.info("customer leg %s of %s is not expected; hanging up", call_sid, interaction_id)
        return twiml.hang_up()
    answered_by = params.get("AnsweredBy") or call.answered_by
    result = outcome(answered_by, call.language) if answered_by else CONNECT
    if answered_by:
        _log(
            ctx,
            call,
            call_sid,
            answered_by=answered_by,
            result=result,
            detection_ms=count(params, "MachineDetectionDuration"),
        )
    if result == CONNECT:
        return twiml.join_conference(customer_seat(ctx, call, interaction_id))
    _end_for_machine(ctx, call, answered_by)
    if result == MESSAGE:
        return twiml.hang_up(twiml.Sentence(text("machine_message", call.language), call.language))
    return twiml.hang_up()


def amd_status(ctx: VoiceContext, params: dict[str, str]) -> None:
    """Async AMD (AsyncAmdStatusCallback): a machine on a leg already in the conference is
    taken out of it (redirected to the customer-leg TwiML, which now knows the verdict)."""
    call_sid = params.get("CallSid", "")
    answered_by = params.get("AnsweredBy", "")
    leg = ctx.calls.leg(call_sid)
    call = ctx.calls.get(leg[0]) if leg is not None and leg[1] == "customer" else None
    if call is None or call.customer_sid != call_sid or not answered_by:
        log.info("AMD result %s for unknown leg %s; ignored", answered_by, call_sid)
        return
    ctx.calls.update(call.interaction_id, answered_by=answered_by)
    result = outcome(answered_by, call.language)
    if result == CONNECT:
        _log(
            ctx,
            call,
            call_sid,
            answered_by=answered_by,
            result=result,
            detection_ms=count(params, "MachineDetectionDuration"),
        )
        return
    try:
        ctx.telephony.redirect(call_sid, ctx.urls.customer_leg(call.interaction_id))
    except TelephonyError as exc:
        log.info("machine leg %s already gone: %s", call_sid, exc)


def _log(
    ctx: VoiceContext,
    call: cs.LiveCall,
    call_sid: str,
    *,
    answered_by: str,
    result: str,
    detection_ms: int | None,
) -> None:
    with ctx.db.session() as session:
        log_call_event(
            session,
            call.interaction_id,
            "machine_detection",
            ctx.clock(),
            f"amd:{call_sid}",
            data={
                "answered_by": answered_by,
                "outcome": result,
                "call_sid": call_sid,
                "detection_ms": detection_ms,
            },
        )


def _end_for_machine(ctx: VoiceContext, call: cs.LiveCall, answered_by: str) -> None:
    """Nobody to talk to: the agent's leg goes and the contact ends (the routed callback's task
    completes; a click-to-dial call logs its own end)."""
    iid = call.interaction_id
    ctx.calls.update(iid, phase=cs.ENDED)  # first: the legs ending below change nothing more
    _hang_up(ctx, call.agent_sid)
    if call.routed:
        ctx.routing.complete(iid)
    else:
        _finish(ctx, iid, ctx.clock(), {"ended_in": "answering_machine", "status": answered_by})
