"""The customer's side of a call joining its conference: one definition for every path.

Inbound callers (after acceptance) and dialled customers (after machine detection) join alike.
"""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from contactcentre.voice import call_state as cs
from contactcentre.voice.context import VoiceContext


def dial_customer_in(
    response: VoiceResponse, ctx: VoiceContext, call: cs.LiveCall, interaction_id: str
) -> None:
    """The customer leaving ends the conference (and so the agent legs with it)."""
    dial = response.dial()
    dial.conference(
        call.conference or cs.conference_name(interaction_id),
        start_conference_on_enter=True,
        end_conference_on_exit=True,
        beep=False,
        participant_label="customer",
        status_callback=ctx.urls.conference_events(),
        status_callback_event="start end join leave mute hold",
        status_callback_method="POST",
    )
