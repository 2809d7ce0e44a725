"""Callbacks: the caller is gone, so a new outbound interaction takes their place in routing and
dials them when an agent is reserved (see agent_legs). Made by a routing-plan exit at once, or
by the worker at a slot the caller booked in the IVR (booked_callbacks)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from contactcentre.interactions.opening import open_interaction
from contactcentre.store.models import Interaction
from contactcentre.voice import call_state as cs
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event


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
        log_call_event(
            session, original.id, "callback_requested", now, "callback", data={"source": "exit"}
        )
    return start_callback(
        ctx,
        interaction_id,
        number=call.customer_number,
        language=call.language,
        callback_id=str(uuid.uuid4()),
        details={},
    )


def start_callback(
    ctx: VoiceContext,
    original_id: str,
    *,
    number: str,
    language: str,
    callback_id: str,
    details: dict[str, Any],
    at: datetime | None = None,
) -> str | None:
    """Create the callback interaction for `original_id` and submit it to routing; None when
    the original is gone. An existing `callback_id` is returned as it is (a retried job)."""
    now = at or ctx.clock()
    with ctx.db.session() as session:
        original = session.get(Interaction, original_id)
        if original is None:
            return None
        opened = open_interaction(
            session,
            channel="outbound",
            interaction_id=callback_id,
            direction="outbound",
            status="queued",
            customer_id=original.customer_id,
            to_address=number,
            intent=original.intent,
            attributes={**original.attributes, "callback": True, "callback_for": original.id},
            actor="telephony",
            details={"callback_for": original.id, **details},
            at=now,
        )
        if not opened.created:
            return callback_id
        callback = opened.interaction
        ctx.routing.submit(session, callback, dict(callback.attributes), priority=0, at=now)
    ctx.calls.put(
        cs.LiveCall(
            callback_id,
            phase=cs.CALLBACK,
            direction="outbound",
            customer_number=number,
            language=language,
            callback=1,
            queued_at=now.timestamp(),
        )
    )
    return callback_id
