"""Callbacks after a routing-plan exit: the caller is gone, so a new outbound interaction takes
its place in routing and dials the caller when an agent is reserved (see agent_legs)."""

from __future__ import annotations

import uuid

from contactcentre.store.models import Interaction
from contactcentre.voice import call_state as cs
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event
from contactcentre.voice.routing_tasks import submit_call


def callback_after_exit(ctx: VoiceContext, interaction_id: str) -> str | None:
    """The id of the callback interaction (the same one for a repeated exit), or None."""
    call = ctx.calls.get(interaction_id)
    if call is None or not call.customer_number or not ctx.calls.claim(interaction_id, "exit-cb"):
        return None
    now = ctx.clock()
    with ctx.db.session() as session:
        original = session.get(Interaction, interaction_id)
        if original is None:
            return None
        callback = Interaction(
            id=str(uuid.uuid4()),
            channel="outbound",
            direction="outbound",
            status="queued",
            customer_id=original.customer_id,
            to_address=original.from_address,
            intent=original.intent,
            attributes={**original.attributes, "callback": True, "callback_for": original.id},
        )
        session.add(callback)
        session.flush()
        log_call_event(
            session, original.id, "callback_requested", now, "callback", data={"source": "exit"}
        )
        log_call_event(
            session,
            callback.id,
            "created",
            now,
            "created",
            data={"channel": "outbound", "callback_for": original.id},
        )
        submit_call(session, ctx.routing, callback, dict(callback.attributes), priority=0, at=now)
    ctx.calls.put(
        cs.LiveCall(
            callback.id,
            phase=cs.CALLBACK,
            direction="outbound",
            customer_number=call.customer_number,
            language=call.language,
            callback=1,
            queued_at=now.timestamp(),
        )
    )
    return callback.id
