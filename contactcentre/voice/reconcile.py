"""Calls whose news was lost: a callback in flight when a web process dies is never sent again
(Twilio does not retry them), so a call not yet live can stop moving for good: the agent's
conference join lost leaves it connecting for ever, a caller's hang-up lost leaves them queued.

The router's sweep finds calls that have not moved for CC_VOICE_RECONCILE_SECONDS (20 s: longer
than a queue's round of music or an IVR question, each of which marks the call as moving), asks
the carrier how their legs are, and applies what it learns as the lost callback would have.
"""

from __future__ import annotations

import logging

from contactcentre.telephony.port import NotOnTheCall, TelephonyError
from contactcentre.voice import call_state as cs
from contactcentre.voice.agent_legs import agent_joined
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.hangups import ENDED_STATUSES, leg_ended

log = logging.getLogger(__name__)

ANSWERED = "in-progress"


def reconcile_unsettled_calls(ctx: VoiceContext, now: float) -> int:
    """Ask the carrier about every call not yet live that has stood still for the settings'
    voice_reconcile_seconds before `now` (again as often while it waits); returns how many
    it moved on."""
    moved = 0
    for interaction_id in ctx.calls.unsettled(now - ctx.settings.voice_reconcile_seconds):
        call = ctx.calls.get(interaction_id)
        if call is None or call.phase not in cs.PRE_LIVE:
            ctx.calls.settled(interaction_id)
            continue
        ctx.calls.moved(interaction_id)  # asked now: again only after another quiet spell
        try:
            moved += _apply_carrier_view(ctx, call)
        except TelephonyError as exc:  # the carrier is unreachable: the next sweep asks again
            log.warning("could not ask the carrier about %s: %s", interaction_id, exc)
    return moved


def _apply_carrier_view(ctx: VoiceContext, call: cs.LiveCall) -> int:
    customer = _status(ctx, call.customer_sid)
    if customer in ENDED_STATUSES:
        log.warning(
            "%s: the caller's leg is %s but we never heard; ending it",
            call.interaction_id,
            customer,
        )
        leg_ended(ctx, call.customer_sid, customer)
        return 1
    if call.phase != cs.CONNECTING or not call.agent_sid:
        return 0
    agent = _status(ctx, call.agent_sid)
    if agent in ENDED_STATUSES:
        log.warning("%s: the agent's leg is %s unheard; requeued", call.interaction_id, agent)
        leg_ended(ctx, call.agent_sid, agent)
        return 1
    if agent == ANSWERED:
        # The agent answered and is in the conference; the join callback that says so was lost.
        log.warning("%s: the agent joined unheard; bringing the caller in", call.interaction_id)
        agent_joined(ctx, call.interaction_id, call.agent_sid, call.conference_sid)
        return 1
    return 0


def _status(ctx: VoiceContext, call_sid: str) -> str | None:
    if not call_sid:
        return None
    try:
        return ctx.telephony.call_status(call_sid)
    except NotOnTheCall:
        return None  # a leg the carrier does not know: nothing to apply
