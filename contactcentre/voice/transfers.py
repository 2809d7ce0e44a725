"""Transfers. Cold: the caller goes back to the queue experience (or straight to another agent or
an outside number) and the agent is freed. Warm: the caller holds while the agent consults the
third party in the same conference; complete joins them and drops the agent; cancel undoes it."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from contactcentre.store.models import Agent
from contactcentre.telephony.port import ConferenceEvents, TelephonyError
from contactcentre.voice import call_state as cs
from contactcentre.voice import supervision
from contactcentre.voice.agent_legs import agent_address
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event
from contactcentre.voice.hangups import _hang_up

log = logging.getLogger(__name__)
EXTERNAL = "external"  # leg role of an outside party the caller was handed to


class TransferConflict(RuntimeError):
    """The call is not in a state that allows this transfer step."""


@dataclass(frozen=True)
class TransferTarget:
    """Exactly one of a queue, an agent or an outside number (checked by the API schema)."""

    queue_id: int | None = None
    agent_id: int | None = None
    number: str | None = None

    def describe(self) -> dict[str, int | str | None]:
        # The outside number itself is PII and stays out of the event log.
        return {
            "to_queue_id": self.queue_id,
            "to_agent_id": self.agent_id,
            "external": self.number is not None,
        }


def cold(ctx: VoiceContext, call: cs.LiveCall, target: TransferTarget, actor: str) -> None:
    if call.phase != cs.CONNECTED:
        raise TransferConflict(
            f"the call is {call.phase}; only a connected call can be transferred"
        )
    iid = call.interaction_id
    _log(ctx, iid, "cold", target, actor)
    if target.number is not None:
        # The outside party joins the caller; the contact leaves the contact centre.
        leg = ctx.telephony.add_participant(
            call.conference_ref,
            target.number,
            ctx.settings.twilio_caller_id,
            label="external",
            status_callback=ctx.urls.status(),
            events=ConferenceEvents(ctx.urls.conference_events()),
        )
        ctx.calls.link_leg(leg.call_sid, iid, EXTERNAL)
        ctx.calls.update(iid, phase=cs.ENDED, agent_sid="")
        ctx.telephony.remove_participant(call.conference_ref, call.agent_sid)
        supervision.end_all(ctx, iid)  # supervisors do not stay on with the outside party
        ctx.routing.transfer(iid, queue_id=None, agent_id=None, reason="cold transfer to number")
        return
    # Back to waiting: the caller leaves the conference (ending it) for the queue experience;
    # the next answer's wait counts from here. The next agent gets a room of their own: the old
    # one ends asynchronously, and an agent dialled into it just before would be thrown out.
    ctx.calls.update(
        iid,
        phase=cs.QUEUED,
        agent_sid="",
        agent_id="",
        conference=f"{cs.conference_name(iid)}-{uuid.uuid4().hex[:8]}",
        conference_sid="",
        last_announced=0.0,
        queued_at=ctx.clock().timestamp(),
    )
    ctx.routing.transfer(
        iid,
        queue_id=None if target.queue_id is None else str(target.queue_id),
        agent_id=None if target.agent_id is None else str(target.agent_id),
        reason="cold transfer",
    )
    ctx.telephony.redirect(call.customer_sid, ctx.urls.queue_wait(iid))
    _hang_up(ctx, call.agent_sid)
    supervision.end_all(ctx, iid)  # the room is over; the next agent's call is a new one


def warm(ctx: VoiceContext, call: cs.LiveCall, target: TransferTarget, actor: str) -> None:
    """Hold the caller and ring the consulted party into the same conference."""
    if call.phase != cs.CONNECTED:
        raise TransferConflict(
            f"the call is {call.phase}; only a connected call can be transferred"
        )
    if target.queue_id is not None:
        raise TransferConflict("a warm transfer consults a person: give agent_id or number")
    iid = call.interaction_id
    if target.agent_id is not None:
        with ctx.db.session() as session:
            agent = session.get(Agent, target.agent_id)
            address = agent_address(agent, str(target.agent_id))
    else:
        assert target.number is not None
        address = target.number
    _log(ctx, iid, "warm", target, actor, kind="transfer_started")  # before the hold it causes
    ctx.telephony.update_participant(
        call.conference_ref, call.customer_sid, hold=True, hold_url=ctx.urls.hold_music()
    )
    leg = ctx.telephony.add_participant(
        call.conference_ref,
        address,
        ctx.settings.twilio_caller_id,
        label="consult",
        status_callback=ctx.urls.status(),
        events=ConferenceEvents(ctx.urls.conference_events()),
    )
    ctx.calls.link_leg(leg.call_sid, iid, "consult")
    ctx.calls.update(
        iid,
        phase=cs.TRANSFERRING,
        on_hold=1,
        consult_sid=leg.call_sid,
        consult_agent_id="" if target.agent_id is None else str(target.agent_id),
    )


def complete(ctx: VoiceContext, call: cs.LiveCall, actor: str) -> None:
    """Join the caller and the consulted party, then drop the transferring agent."""
    if call.phase != cs.TRANSFERRING or not call.consult_sid:
        raise TransferConflict("there is no warm transfer in progress")
    iid = call.interaction_id
    target = TransferTarget(
        agent_id=int(call.consult_agent_id) if call.consult_agent_id else None,
        number=None if call.consult_agent_id else "external",
    )
    _log(ctx, iid, "warm", target, actor)  # before the unhold and the drop it causes
    ctx.telephony.update_participant(call.conference_ref, call.customer_sid, hold=False)
    leaving = call.agent_sid
    if call.consult_agent_id:
        # The consulted agent stays as the call's agent; routing moves the task to them, and
        # the sink recognises them (consult_agent_id) instead of ringing them again.
        ctx.calls.update(
            iid,
            phase=cs.CONNECTED,
            on_hold=0,
            agent_sid=call.consult_sid,
            agent_id=call.consult_agent_id,
        )
        ctx.calls.link_leg(call.consult_sid, iid, "agent")
        ctx.routing.transfer(
            iid, queue_id=None, agent_id=call.consult_agent_id, reason="warm transfer"
        )
        supervision.agent_replaced(ctx, call, call.consult_sid)
    else:
        ctx.calls.link_leg(call.consult_sid, iid, EXTERNAL)
        ctx.calls.update(iid, phase=cs.ENDED, on_hold=0, agent_sid="", consult_sid="")
        supervision.end_all(ctx, iid)
        ctx.routing.transfer(iid, queue_id=None, agent_id=None, reason="warm transfer to number")
    try:
        ctx.telephony.remove_participant(call.conference_ref, leaving)
    except TelephonyError as exc:
        log.info("transferring agent of %s already gone: %s", iid, exc)


def cancel(ctx: VoiceContext, call: cs.LiveCall, actor: str) -> None:
    """The consult is abandoned: drop the third party, the caller is back with the agent."""
    if call.phase != cs.TRANSFERRING or not call.consult_sid:
        raise TransferConflict("there is no warm transfer in progress")
    target = TransferTarget(
        agent_id=int(call.consult_agent_id) if call.consult_agent_id else None,
        number=None if call.consult_agent_id else "external",
    )
    # Logged before the hang-up and the unhold it causes; the routing task never moved.
    _log(ctx, call.interaction_id, "warm", target, actor, kind="transfer_canceled")
    ctx.calls.update(call.interaction_id, phase=cs.CONNECTED, consult_sid="", consult_agent_id="")
    _hang_up(ctx, call.consult_sid)
    ctx.telephony.update_participant(call.conference_ref, call.customer_sid, hold=False)
    ctx.calls.update(call.interaction_id, on_hold=0)


def consult_ended(ctx: VoiceContext, call: cs.LiveCall) -> None:
    """The consulted party hung up before the transfer completed: back to the caller."""
    if call.phase != cs.TRANSFERRING:
        return
    ctx.calls.update(call.interaction_id, phase=cs.CONNECTED, consult_sid="", consult_agent_id="")
    try:
        ctx.telephony.update_participant(call.conference_ref, call.customer_sid, hold=False)
    except TelephonyError as exc:
        log.info("caller of %s gone after the consult: %s", call.interaction_id, exc)


def _log(
    ctx: VoiceContext,
    iid: str,
    mode: str,
    target: TransferTarget,
    actor: str,
    *,
    kind: str = "transferred",
) -> None:
    now = ctx.clock()
    with ctx.db.session() as session:
        log_call_event(
            session,
            iid,
            kind,
            now,
            f"{kind}:{now.timestamp()}",
            actor=actor,
            data={"mode": mode, **target.describe()},
        )
