"""An inbound call through the IVR: create its interaction when it arrives, run the flow one
webhook at a time, log each step, and act on the flow's ending (queue, callback, voicemail)."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.cti.ivr_path import describe_path
from contactcentre.customers.phones import CallerId, classify_caller_id
from contactcentre.customers.self_service import ivr_ports
from contactcentre.interactions.opening import open_interaction
from contactcentre.store.models import Interaction
from contactcentre.voice import call_state as cs
from contactcentre.voice import twiml
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event
from contactcentre.voice.ivr_sessions import IvrSession
from ivr import (
    CallerHangup,
    Enqueue,
    Flow,
    FlowEngine,
    RequestCallback,
    SessionInputs,
    SessionStateError,
    Step,
)
from ivr.twiml import TwimlRoutes, VoiceSettings, caller_input_from_webhook, enqueue_as_redirect
from ivr.twiml import render_twiml as render

log = logging.getLogger(__name__)


def hangup_twiml() -> str:
    return twiml.hang_up()


def dialable(caller: CallerId) -> str:
    """The address we could call back: E.164, a client identity, or '' (withheld)."""
    if caller.e164:
        return caller.e164
    if caller.kind == "client" and caller.identity:
        return f"client:{caller.identity}"
    return ""


def find_call(session: Session, call_sid: str) -> Interaction | None:
    return session.scalars(
        select(Interaction).where(
            Interaction.external_id == call_sid, Interaction.channel.in_(("voice", "outbound"))
        )
    ).first()


def answer_call(ctx: VoiceContext, params: dict[str, str]) -> str:
    """The first webhook of an inbound call: the interaction, then the IVR's first step."""
    call_sid = params.get("CallSid", "")
    if not call_sid:
        log.warning("incoming call webhook without CallSid; hanging up")
        return hangup_twiml()
    now = ctx.clock()
    region = ctx.settings.default_phone_region
    caller = classify_caller_id(params.get("From"), region)
    with ctx.db.session() as session:
        existing = find_call(session, call_sid)
        opened = None
        if existing is None:
            opened = open_interaction(
                session,
                channel="voice",
                external_id=call_sid,
                direction="inbound",
                status="ivr",
                from_address=caller.raw or None,
                to_address=params.get("To") or None,
                attributes={"caller": caller.e164, "caller_kind": caller.kind},
                actor="telephony",
                details={"caller_kind": caller.kind},
                at=now,
            )
        if opened is None or not opened.created:
            # A retry after our reply was forgotten, or the same call's webhook twice at once:
            # resume where the first one is, never re-create.
            current = ctx.ivr_sessions.get(call_sid)
            log.info("incoming call %s seen before; resuming", call_sid)
            return current.twiml if current and current.twiml else hangup_twiml()
        interaction = opened.interaction
        ctx.calls.put(
            cs.LiveCall(
                interaction.id,
                phase=cs.IVR,
                customer_sid=call_sid,
                customer_number=dialable(caller),
            )
        )
        ctx.calls.link_leg(call_sid, interaction.id, "customer")
        engine = FlowEngine(ctx.answering_flow(), ivr_ports(session, ctx.redis, region))
        step = engine.start(
            SessionInputs(
                caller_number=dialable(caller) or caller.raw or "anonymous",
                now=ctx.ivr_now(),
                called_number=params.get("To"),
                channel="voice",
                attributes={"caller_kind": caller.kind},
            )
        )
        ivr = IvrSession(call_sid, interaction.id, 0, step.state)
        return apply_step(ctx, session, interaction, ivr, step)


def answer_ivr(ctx: VoiceContext, call_sid: str, step_no: int, params: dict[str, str]) -> str:
    """The caller's answer to the IVR's question number `step_no`."""
    ivr = ctx.ivr_sessions.get(call_sid)
    if ivr is None:
        log.warning("IVR answer for unknown or finished call %s; hanging up", call_sid)
        return hangup_twiml()
    ctx.calls.moved(ivr.interaction_id)  # the caller is answering: not a call to reconcile
    if step_no != ivr.step:
        log.info("stale IVR answer for %s (step %s, now %s)", call_sid, step_no, ivr.step)
        return ivr.twiml or hangup_twiml()
    with ctx.db.session() as session:
        interaction = session.get(Interaction, ivr.interaction_id)
        if interaction is None:
            return hangup_twiml()
        engine = FlowEngine(
            ctx.answering_flow(), ivr_ports(session, ctx.redis, ctx.settings.default_phone_region)
        )
        try:
            step = engine.advance(ivr.state, caller_input_from_webhook(params), ctx.ivr_now())
        except SessionStateError as exc:
            log.warning("IVR state of %s cannot advance: %s", call_sid, exc)
            return hangup_twiml()
        return apply_step(ctx, session, interaction, ivr, step)


def caller_hung_up_in_ivr(ctx: VoiceContext, call_sid: str) -> None:
    """Close the IVR path with the hang-up, so the screen pop and reports show where it was."""
    ivr = ctx.ivr_sessions.get(call_sid)
    if ivr is None:
        return
    with ctx.db.session() as session:
        interaction = session.get(Interaction, ivr.interaction_id)
        engine = FlowEngine(
            ctx.answering_flow(), ivr_ports(session, ctx.redis, ctx.settings.default_phone_region)
        )
        try:
            step = engine.advance(ivr.state, CallerHangup(), ctx.ivr_now())
        except SessionStateError:
            step = None
        if interaction is not None and step is not None:
            _log_path(session, interaction, ivr, step, ctx.clock())
            attributes = dict(step.state.get("attributes", {}))
            _project_attributes(interaction, step, attributes, ctx.answering_flow())
    ctx.ivr_sessions.delete(call_sid)


def apply_step(
    ctx: VoiceContext, session: Session, interaction: Interaction, ivr: IvrSession, step: Step
) -> str:
    """Log the step, act on what it asks of the app, remember the session, render TwiML."""
    now = ctx.clock()
    _log_path(session, interaction, ivr, step, now)
    state_attributes: dict[str, Any] = dict(step.state.get("attributes", {}))
    _project_attributes(interaction, step, state_attributes, ctx.answering_flow())
    ctx.calls.update(interaction.id, language=str(state_attributes.get("language", "en")))
    for action in step.actions:
        if isinstance(action, Enqueue):
            attributes = {**interaction.attributes, **dict(action.attributes)}
            ctx.routing.submit(session, interaction, attributes, priority=action.priority, at=now)
            interaction.status = "queued"
            ctx.calls.update(interaction.id, phase=cs.QUEUED, queued_at=now.timestamp())
        elif isinstance(action, RequestCallback):
            request_callback(ctx, session, interaction, action, now)
    twiml = render(step, _routes(ctx, ivr, interaction.id), VoiceSettings())
    if step.finished:
        ctx.ivr_sessions.delete(ivr.call_sid)
    else:
        ctx.ivr_sessions.put(
            IvrSession(
                ivr.call_sid, ivr.interaction_id, ivr.step + 1, step.state, len(step.path), twiml
            )
        )
    return twiml


def _routes(ctx: VoiceContext, ivr: IvrSession, interaction_id: str) -> TwimlRoutes:
    urls, next_step = ctx.urls, ivr.step + 1
    return TwimlRoutes(
        gather_action=lambda node: urls.ivr_answer(ivr.call_sid, node, next_step),
        enqueue=enqueue_as_redirect(urls.queue_wait(interaction_id)),
        record_action=urls.ivr_recording(interaction_id),
        transfer_action=urls.ivr_transfer_done(interaction_id),
    )


def _log_path(
    session: Session, interaction: Interaction, ivr: IvrSession, step: Step, now: datetime
) -> None:
    for index in range(ivr.logged, len(step.path)):
        entry = step.path[index]
        log_call_event(
            session,
            interaction.id,
            "ivr_step",
            now,
            f"ivr:{index}",
            actor="ivr",
            data={"index": index, **entry.to_json()},
        )


def _project_attributes(
    interaction: Interaction, step: Step, state_attributes: dict[str, Any], flow: Flow
) -> None:
    """What the screen pop reads: the IVR path, intent, language, who is calling."""
    attributes = dict(interaction.attributes)
    attributes.update(
        {k: v for k, v in state_attributes.items() if k not in ("caller", "caller_kind")}
    )
    attributes["ivr_path"] = [str(entry) for entry in step.path]
    attributes["ivr_steps"] = describe_path(step.path, flow)  # what the pop shows the agent
    attributes.setdefault("intent", None)
    interaction.attributes = attributes
    interaction.intent = attributes.get("intent")
    customer_id = state_attributes.get("customer_id")
    if customer_id is not None and re.fullmatch(r"[0-9]{1,18}", str(customer_id)):
        interaction.customer_id = int(customer_id)


def request_callback(
    ctx: VoiceContext,
    session: Session,
    interaction: Interaction,
    action: RequestCallback,
    now: datetime,
) -> None:
    """A booked slot schedules a job that routes the callback at the slot's start; "as soon as
    possible" becomes a routed task now. Either dials the caller when an agent is reserved."""
    call = ctx.calls.get(interaction.id)
    number = call.customer_number if call else ""
    data: dict[str, Any] = {"source": "ivr", "dialable": bool(number)}
    if action.slot_id is not None:
        data["slot_id"] = action.slot_id
    log_call_event(session, interaction.id, "callback_requested", now, "callback", data=data)
    if action.slot_id is not None and action.slot_start is not None and number:
        from contactcentre.voice.booked_callbacks import schedule_after_commit

        schedule_after_commit(session, ctx, interaction.id, action.slot_id, action.slot_start)
    if action.slot_id is not None or not number:
        return
    attributes = {**interaction.attributes, **dict(action.attributes), "callback": True}
    interaction.attributes = {**interaction.attributes, "callback": True}
    ctx.routing.submit(session, interaction, attributes, priority=0, at=now)
    interaction.status = "queued"
    ctx.calls.update(interaction.id, phase=cs.CALLBACK, callback=1, queued_at=now.timestamp())
