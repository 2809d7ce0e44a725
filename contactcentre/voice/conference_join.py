"""The customer's side of a call joining its conference: one definition for every path.

Inbound callers (after acceptance) and dialled customers (after machine detection) join alike.
"""

from __future__ import annotations

from contactcentre.voice import call_state as cs
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.twiml import ConferenceSeat


def customer_seat(ctx: VoiceContext, call: cs.LiveCall, interaction_id: str) -> ConferenceSeat:
    """The customer leaving ends the conference (and so the agent legs with it)."""
    return ConferenceSeat(
        conference=call.conference or cs.conference_name(interaction_id),
        label="customer",
        ends_on_exit=True,
        events_url=ctx.urls.conference_events(),
    )
