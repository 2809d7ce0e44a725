"""What a leg ending means for the contact: an abandon in queue, the end of a conversation, an
agent who did not pick up, a consult that hung up. Every case sends the router what it needs."""

from __future__ import annotations

import logging
from datetime import datetime

from contactcentre.store.models import Interaction
from contactcentre.voice import call_state as cs
from contactcentre.voice import owed_hang_ups, supervision
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event

log = logging.getLogger(__name__)
ENDED_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def leg_ended(ctx: VoiceContext, call_sid: str, status: str) -> None:
    leg = ctx.calls.leg(call_sid)
    if leg is None:
        log.info("status %s for unknown call %s; ignored", status, call_sid)
        return
    interaction_id, role = leg
    call = ctx.calls.get(interaction_id)
    if call is None:
        log.info("status %s for %s of a call we no longer track; ignored", status, call_sid)
        return
    if role == "customer" and call.customer_sid == call_sid:
        customer_left(ctx, call, status)
    elif role == "agent" and call.agent_sid == call_sid:
        agent_left(ctx, call, status)
    elif role == "consult" and call.consult_sid == call_sid:
        from contactcentre.voice.transfers import consult_ended

        consult_ended(ctx, call)
    elif role == supervision.ROLE:
        supervision.leg_ended(ctx, interaction_id, call_sid)
    elif role == "external":
        # The outside party the caller was handed to hung up (or never answered): the
        # contact centre is out of the call, so nobody is left to talk to.
        _hang_up(ctx, call.customer_sid)
    else:
        log.info("%s leg %s of %s ended after it was replaced; ignored", role, call_sid, call.phase)


def customer_left(ctx: VoiceContext, call: cs.LiveCall, status: str) -> None:
    iid, now = call.interaction_id, ctx.clock()
    phase = call.phase
    if phase in (cs.CALLBACK, cs.ENDED):
        return  # the task waits for its callback, or the call already ended
    if phase == cs.IVR:
        from contactcentre.voice.inbound import caller_hung_up_in_ivr

        # Nothing but this records the end of a call that never reached routing, so it is
        # written before the call is marked ended: if the database refuses it, the call stays
        # in the IVR, unsettled, and the reconciliation sweep ends it again later (Twilio does
        # not send the callback twice).
        caller_hung_up_in_ivr(ctx, call.customer_sid)
        _finish(ctx, iid, now, {"ended_in": "ivr", "status": status})
        ctx.calls.update(iid, phase=cs.ENDED)
        return
    ctx.calls.update(iid, phase=cs.ENDED)
    if phase in (cs.QUEUED, cs.CONNECTING):
        wait = round(now.timestamp() - call.queued_at, 3) if call.queued_at else None
        ctx.routing.cancel(iid, "caller_hangup")
        with ctx.db.session() as session:
            log_call_event(session, iid, "abandoned", now, "abandoned", data={"wait_seconds": wait})
        if phase == cs.CONNECTING:
            _hang_up(ctx, call.agent_sid)
    else:  # connected or transferring: the conversation is over
        # The agent's legs are owed their hang-up before the task completes (owed_hang_ups).
        for leg in (call.agent_sid, call.consult_sid):
            owed_hang_ups.owe(ctx.redis, leg)
        _complete(ctx, call, now, status)
        _hang_up(ctx, call.agent_sid)
        _hang_up(ctx, call.consult_sid)
        supervision.end_all(ctx, iid)
        _end_recording(ctx, call)


def agent_left(ctx: VoiceContext, call: cs.LiveCall, status: str) -> None:
    iid = call.interaction_id
    if call.phase == cs.CONNECTING and not call.routed:
        ctx.calls.update(iid, phase=cs.ENDED)
        _finish(ctx, iid, ctx.clock(), {"ended_in": "agent_leg", "status": status})
    elif call.phase == cs.CONNECTING:
        # The agent's leg never got to the caller: put the task back, the caller keeps waiting.
        log.info("agent leg of %s ended (%s) before connecting; requeued", iid, status)
        ctx.calls.update(iid, phase=cs.CALLBACK if call.callback else cs.QUEUED, agent_sid="")
        ctx.routing.requeue(iid, f"agent_leg_{status}")
    elif call.phase == cs.CONNECTED:
        ctx.calls.update(iid, phase=cs.ENDED)
        _complete(ctx, call, ctx.clock(), status)
        _hang_up(ctx, call.customer_sid)
        supervision.end_all(ctx, iid)
        _end_recording(ctx, call)


def _complete(ctx: VoiceContext, call: cs.LiveCall, now: datetime, status: str) -> None:
    """A routed call's end goes to the router (which logs 'completed'); others log it here."""
    if call.routed:
        ctx.routing.complete(call.interaction_id)
    else:
        _finish(ctx, call.interaction_id, now, {"ended_in": "conversation", "status": status})


def _finish(ctx: VoiceContext, iid: str, now: datetime, data: dict[str, str]) -> None:
    """A call that never reached routing ends here ('completed' is ours to write)."""
    with ctx.db.session() as session:
        interaction = session.get(Interaction, iid)
        if interaction is not None and interaction.ended_at is None:
            interaction.status, interaction.ended_at = "completed", now
        log_call_event(session, iid, "completed", now, "completed", data=data)


def _hang_up(ctx: VoiceContext, call_sid: str) -> None:
    """Owed first, so a carrier that cannot be reached now is asked again by the sweep."""
    owed_hang_ups.owe(ctx.redis, call_sid)
    owed_hang_ups.hang_up(ctx, call_sid)


def _end_recording(ctx: VoiceContext, call: cs.LiveCall) -> None:
    if call.recording_sid:
        with ctx.db.session() as session:
            log_call_event(
                session,
                call.interaction_id,
                "recording_stopped",
                ctx.clock(),
                f"recording:{call.recording_sid}:stopped",
                data={"recording_sid": call.recording_sid, "reason": "call_ended"},
            )
