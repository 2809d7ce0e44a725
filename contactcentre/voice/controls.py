"""An agent's call controls: hold the customer, mute themselves, hang up, and the live state the
console shows. Events for holds and mutes come from the conference callbacks (their real time)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from contactcentre.interactions import event_log
from contactcentre.store.models import Interaction
from contactcentre.telephony.port import NotOnTheCall
from contactcentre.voice import call_state as cs
from contactcentre.voice import owed_hang_ups
from contactcentre.voice.call_push import call_view
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.hangups import customer_left


class CallNotLive(RuntimeError):
    """The action needs a connected call (with an agent and a customer in its conference)."""


def _live(call: cs.LiveCall) -> None:
    if call.phase not in cs.LIVE or not call.conference_ref:
        raise CallNotLive(f"the call is {call.phase}, not connected")


def hold(ctx: VoiceContext, call: cs.LiveCall, on: bool) -> None:
    _live(call)
    try:
        ctx.telephony.update_participant(
            call.conference_ref, call.customer_sid, hold=on, hold_url=ctx.urls.hold_music()
        )
    except NotOnTheCall:
        # The agent is connected a moment before the caller is moved into the conference.
        raise CallNotLive(
            "the caller is not in the call yet (or has just left); try again in a moment"
        ) from None
    ctx.calls.update(call.interaction_id, on_hold=int(on))


def mute(ctx: VoiceContext, call: cs.LiveCall, on: bool) -> None:
    _live(call)
    try:
        ctx.telephony.update_participant(call.conference_ref, call.agent_sid, muted=on)
    except NotOnTheCall:
        raise CallNotLive("your leg is not in the call yet; try again in a moment") from None
    ctx.calls.update(call.interaction_id, muted=int(on))


def hang_up(ctx: VoiceContext, call: cs.LiveCall) -> None:
    """The agent ends the call: every leg goes, the router hears TaskCompleted."""
    _live(call)
    # Owed before the call ends here: a process killed in between leaves it for the sweep.
    owed_hang_ups.owe(ctx.redis, call.customer_sid)
    customer_left(ctx, call, "completed")
    owed_hang_ups.hang_up(ctx, call.customer_sid)


def live_state(
    session: Session, call: cs.LiveCall | None, interaction: Interaction
) -> dict[str, Any]:
    """The call bar's data (call_push.call_view) and started_at, for a console that loads."""
    started = next(
        (
            e.occurred_at
            for e in event_log.for_interaction(session, interaction.id)
            if e.type == "answered"
        ),
        None,
    )
    if call is None:
        view: dict[str, Any] = {
            "status": interaction.status,
            "on_hold": False,
            "muted": False,
            "recording": False,
            "participants": [],
            "agent_id": interaction.agent_id,
            "version": 0,
        }
    else:
        view = call_view(call)
    return {**view, "started_at": started.isoformat() if started else None}
