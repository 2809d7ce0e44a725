"""Connecting a reserved agent: dial the agent's leg into the call's conference, and once the agent
is there, bring the caller in (or, for a callback, dial the customer). Each call is a conference."""

from __future__ import annotations

import logging

from contactcentre.store.models import Agent
from contactcentre.telephony.port import ConferenceEvents, TelephonyError
from contactcentre.voice import call_state as cs
from contactcentre.voice import twiml
from contactcentre.voice.conference_join import customer_seat
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event
from contactcentre.voice.machine_detection import amd_mode
from contactcentre.voice.prompts import text

log = logging.getLogger(__name__)


def agent_address(agent: Agent | None, agent_id: str) -> str:
    """The browser softphone (client:agent_<id>) unless the agent chose their phone."""
    if agent is not None and agent.phone_number and agent.attributes.get("voice_leg") == "phone":
        return agent.phone_number
    return f"client:agent_{agent_id}"


# How long the carrier has to call back about an agent leg we asked for. A process killed
# during the request cannot know whether the leg exists: its callbacks name the interaction, so
# a leg that exists is adopted when they come; none by then means none was made (requeued).
AGENT_LEG_SHOWS_WITHIN_SECONDS = 20.0


def connect_agent(ctx: VoiceContext, interaction_id: str, agent_id: str, reservation: str) -> None:
    """On task_assigned: ring the agent's leg into the conference (once per reservation).

    Safe against a kill at any line: the intent is recorded before the carrier is asked, the
    leg is adopted from its own callbacks if we never saw the answer, and a leg that never
    shows up is given up after AGENT_LEG_SHOWS_WITHIN_SECONDS (sweep_lost_agent_legs)."""
    call = ctx.calls.get(interaction_id)
    if call is None or call.phase == cs.ENDED:
        return
    if call.consult_agent_id == agent_id and call.consult_sid:
        # A warm transfer's consulted agent is already on the call; routing just caught up.
        ctx.calls.update(
            interaction_id, agent_id=agent_id, agent_sid=call.consult_sid, consult_sid=""
        )
        ctx.calls.link_leg(call.consult_sid, interaction_id, "agent")
        return
    if not ctx.calls.claim(interaction_id, f"dial:{reservation}"):
        return  # asked for already (a redelivery): its callbacks or the sweep settle it
    ctx.calls.update(interaction_id, dialling=reservation, dialling_agent=agent_id)
    ctx.calls.expect_agent_leg(
        interaction_id, reservation, ctx.clock().timestamp() + AGENT_LEG_SHOWS_WITHIN_SECONDS
    )
    with ctx.db.session() as session:
        agent = session.get(Agent, int(agent_id)) if agent_id.isdigit() else None
        address = agent_address(agent, agent_id)
    conference = call.conference or cs.conference_name(interaction_id)
    try:
        leg = ctx.telephony.add_participant(
            conference,
            address,
            ctx.settings.twilio_caller_id,
            label="agent",
            status_callback=ctx.urls.status(interaction=interaction_id, role="agent"),
            events=ConferenceEvents(ctx.urls.conference_events()),
        )
    except TelephonyError as exc:
        log.warning("could not ring agent %s for %s: %s", agent_id, interaction_id, exc)
        ctx.calls.update(interaction_id, dialling="", dialling_agent="")
        ctx.calls.agent_leg_seen(interaction_id, reservation)
        ctx.routing.requeue(interaction_id, "agent_leg_failed")
        return
    adopt_agent_leg(ctx, interaction_id, leg.call_sid, leg.conference_sid or "")


def adopt_agent_leg(
    ctx: VoiceContext, interaction_id: str, call_sid: str, conference_sid: str = ""
) -> bool:
    """The leg the carrier made for the pending agent dial is this call's agent leg: from the
    carrier's answer to our request, or from the leg's first callback if that answer was lost.
    False when no dial is pending (the leg is someone else's, or the call moved on)."""
    call = ctx.calls.get(interaction_id)
    if call is None or call.phase == cs.ENDED:
        return False
    if call.agent_sid == call_sid:
        return True  # the callback came first; the request's answer finds it done
    if not call.dialling:
        return False
    ctx.calls.link_leg(call_sid, interaction_id, "agent")
    ctx.calls.update(
        interaction_id,
        phase=cs.CONNECTING,
        agent_id=call.dialling_agent,
        agent_sid=call_sid,
        conference=call.conference or cs.conference_name(interaction_id),
        conference_sid=conference_sid or call.conference_sid,
        dialling="",
        dialling_agent="",
    )
    ctx.calls.agent_leg_seen(interaction_id, call.dialling)
    return True


def adopt_unknown(ctx: VoiceContext, interaction_id: str, call_sid: str) -> None:
    """A callback about an agent leg: adopt it if we never learnt its CallSid."""
    if (
        call_sid
        and ctx.calls.leg(call_sid) is None
        and adopt_agent_leg(ctx, interaction_id, call_sid)
    ):
        log.info("adopted agent leg %s of %s from its callback", call_sid, interaction_id)


def sweep_lost_agent_legs(ctx: VoiceContext) -> int:
    """Give up agent legs the carrier never called back about (the request died with its
    process before reaching it): the task goes back to routing, the caller keeps waiting."""
    lost = 0
    for interaction_id, reservation in ctx.calls.agent_legs_due(ctx.clock().timestamp()):
        call = ctx.calls.get(interaction_id)
        ctx.calls.agent_leg_seen(interaction_id, reservation)
        if call is None or call.dialling != reservation or call.phase == cs.ENDED:
            continue
        log.warning("agent leg for %s (%s) never showed up; requeued", interaction_id, reservation)
        ctx.calls.update(interaction_id, dialling="", dialling_agent="")
        ctx.routing.requeue(interaction_id, "agent_leg_lost")
        lost += 1
    return lost


def agent_joined(
    ctx: VoiceContext, interaction_id: str, call_sid: str, conference_sid: str
) -> None:
    """The agent picked up: the call is answered; bring the customer into the room."""
    call = ctx.calls.get(interaction_id)
    if call is None or call.agent_sid != call_sid or call.phase != cs.CONNECTING:
        return
    ctx.calls.update(interaction_id, phase=cs.CONNECTED, conference_sid=conference_sid)
    dial_customer = bool(call.callback or not call.customer_sid)
    if not dial_customer:  # the caller was waiting: answered now (a dialled customer: on join)
        log_answered(ctx, call, call_sid)
    try:
        if dial_customer:
            # Machine detection first: only a person joins the agent (see machine_detection).
            leg = ctx.telephony.call(
                call.customer_number,
                ctx.settings.twilio_caller_id,
                ctx.urls.customer_leg(interaction_id),
                ctx.urls.status(),
                machine_detection=amd_mode(),
            )
            ctx.calls.link_leg(leg.call_sid, interaction_id, "customer")
            ctx.calls.update(interaction_id, customer_sid=leg.call_sid)
        else:
            ctx.telephony.redirect(call.customer_sid, ctx.urls.conference_join(interaction_id))
    except TelephonyError as exc:
        # The caller left meanwhile; their status callback ends the task.
        log.info("could not bring the customer of %s in: %s", interaction_id, exc)


def log_answered(ctx: VoiceContext, call: cs.LiveCall, call_sid: str) -> None:
    now = ctx.clock()
    ctx.calls.update(call.interaction_id, answered_at=now.timestamp())
    with ctx.db.session() as session:
        log_call_event(
            session,
            call.interaction_id,
            "answered",
            now,
            f"answered:{call_sid}",  # once per leg: a transferred call is answered again
            actor=f"agent:{call.agent_id}",
            data={"agent_id": call.agent_id, "wait_seconds": _waited(call, now.timestamp())},
        )


def _waited(call: cs.LiveCall, now: float) -> float | None:
    return round(now - call.queued_at, 3) if call.queued_at else None


def join_twiml(ctx: VoiceContext, interaction_id: str) -> str:
    """TwiML that puts the caller into the call's conference; leaving it ends the conference."""
    call = ctx.calls.get(interaction_id)
    if call is None or call.phase not in (cs.CONNECTED, cs.TRANSFERRING):
        return twiml.hang_up()
    connecting = twiml.Sentence(text("connecting", call.language), call.language)
    return twiml.join_conference(customer_seat(ctx, call, interaction_id), connecting)
