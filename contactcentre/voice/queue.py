"""The queue experience: hold music, position and estimated wait every few seconds from the
router, a key for a callback that keeps the caller's place, and the routing plan's exits."""

from __future__ import annotations

import logging
import math

from contactcentre.store.models import Interaction
from contactcentre.voice import call_state as cs
from contactcentre.voice import twiml
from contactcentre.voice.agent_legs import join_twiml
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event
from contactcentre.voice.prompts import text

log = logging.getLogger(__name__)
WAITING_PHASES = frozenset({cs.QUEUED, cs.CONNECTING})
EXITS = frozenset({"voicemail", "callback", "message"})


def wait_twiml(ctx: VoiceContext, interaction_id: str) -> str:
    """One round of waiting: an announcement when due, music, listen for the callback key."""
    call = ctx.calls.get(interaction_id)
    if call is not None and call.phase in (cs.CONNECTED, cs.TRANSFERRING):
        # The agent answered while this loop's request was on its way, before our redirect
        # reached the caller: send them into the conference instead of hanging up.
        return join_twiml(ctx, interaction_id)
    if call is None or call.phase not in WAITING_PHASES:
        log.info("queue wait for %s in phase %s; hanging up", interaction_id, call and call.phase)
        return twiml.hang_up()
    if call.phase == cs.QUEUED:
        # Still waiting, still there: nothing to reconcile. (Connecting, the agent's join is
        # the news awaited, however long the caller's music plays.)
        ctx.calls.moved(interaction_id)
    now = ctx.clock().timestamp()
    sentences: list[str] = []
    if now - call.last_announced >= ctx.settings.voice_announce_seconds:
        sentences = announcement(ctx, call)
        if sentences:  # until the router has placed the call, try again next round
            ctx.calls.update(interaction_id, last_announced=now)
    return twiml.queue_round(
        key_url=ctx.urls.queue_key(interaction_id),
        announcements=[twiml.Sentence(s, call.language) for s in sentences],
        music_url=ctx.settings.voice_hold_music_url,
        next_round_url=ctx.urls.queue_wait(interaction_id),
    )


def announcement(ctx: VoiceContext, call: cs.LiveCall) -> list[str]:
    """Position, estimated wait and the callback offer; nothing until the router placed it."""
    language = call.language
    estimate = ctx.routing.estimate(call.interaction_id)
    if estimate is None:
        return []
    sentences = [text("position", language, position=estimate["position"])]
    ewt = estimate["ewt_seconds"]
    if ewt is not None and ewt >= 60:
        sentences.append(text("wait_minutes", language, minutes=math.ceil(ewt / 60)))
    elif ewt is not None:
        sentences.append(text("wait_soon", language))
    if call.customer_number:
        sentences.append(text("callback_offer", language, key=ctx.settings.voice_callback_key))
    return sentences


def key_pressed(ctx: VoiceContext, interaction_id: str, digits: str) -> str:
    """The callback key keeps the routing task waiting and lets the caller hang up."""
    call = ctx.calls.get(interaction_id)
    if (
        call is None
        or call.phase != cs.QUEUED
        or digits != ctx.settings.voice_callback_key
        or not call.customer_number
    ):
        return wait_twiml(ctx, interaction_id)
    now = ctx.clock()
    estimate = ctx.routing.estimate(interaction_id)
    with ctx.db.session() as session:
        interaction = session.get(Interaction, interaction_id)
        if interaction is not None:
            interaction.attributes = {**interaction.attributes, "callback": True}
        log_call_event(
            session,
            interaction_id,
            "callback_requested",
            now,
            "callback",
            data={"source": "queue", "position": estimate["position"] if estimate else None},
        )
    # Phase first: the hang-up that follows must not count as an abandon.
    ctx.calls.update(interaction_id, phase=cs.CALLBACK, callback=1)
    return twiml.hang_up(twiml.Sentence(text("callback_confirm", call.language), call.language))


def exit_twiml(ctx: VoiceContext, interaction_id: str, kind: str) -> str:
    """Where the routing plan sends a caller it gives up on: voicemail, callback or a message."""
    call = ctx.calls.get(interaction_id)
    language = call.language if call else "en"
    calls_back = kind == "callback" and call is not None and bool(call.customer_number)
    if calls_back:
        from contactcentre.voice.callbacks import callback_after_exit

        callback_after_exit(ctx, interaction_id)
    if call is not None:
        ctx.calls.update(interaction_id, phase=cs.ENDED)
    if kind == "voicemail":
        prompt = twiml.Sentence(text("exit_voicemail", language), language)
        return twiml.voicemail(prompt, ctx.urls.ivr_recording(interaction_id), max_seconds=120)
    said = (
        "exit_callback" if kind == "callback" and call and call.customer_number else "exit_message"
    )
    return twiml.hang_up(twiml.Sentence(text(said, language), language))
