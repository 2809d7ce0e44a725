"""What Twilio reports back about things the app started: the IVR's transfer to an outside
number (the Dial action's DialCallStatus)."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.telephony.emulator import Callee, CallerScript
from tests.integration.router.conftest import eventually
from tests.integration.voice.conftest import CUSTOMER, NUMBER, event_types, events, interaction_for

PARTNER = "+15550100200"  # the default flow's partner_transfer number


def _partner_caller() -> CallerScript:
    return (
        CallerScript()
        .wait_for_prompt("For English")
        .press("1")
        .wait_for_prompt("partner helpline, press 8")
        .press("8")
    )


def test_answered_ivr_transfer_is_logged_and_the_call_ends(
    voice_app: Any, emulator: Any, floor: Any
) -> None:
    """DialCallStatus=completed: 'transferred' (external, no number) with the dial status, then
    the call completes; routing never sees it."""
    emulator.register_party(PARTNER, Callee("human", ring_seconds=1, talk_seconds=3))
    call = emulator.place_call(CUSTOMER, NUMBER, _partner_caller())
    call.wait_until_over(timeout=10)
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    eventually(lambda: "completed" in event_types(voice_app, interaction.id))
    transferred = next(e for e in events(voice_app, interaction.id) if e.type == "transferred")
    assert transferred.data["dial_status"] == "completed"
    assert transferred.data["external"] is True and transferred.data["source"] == "ivr"
    assert PARTNER not in str(transferred.data)
    kinds = event_types(voice_app, interaction.id)
    assert "queued" not in kinds and "transfer_failed" not in kinds
    assert kinds.index("transferred") < kinds.index("completed")
    assert call.heard("Transferring you")


@pytest.mark.parametrize("mode", ["busy", "no-answer"])
def test_unanswered_ivr_transfer_queues_the_caller_for_an_agent(
    voice_app: Any, emulator: Any, floor: Any, mode: str
) -> None:
    """DialCallStatus busy/no-answer: 'transfer_failed' with the status, the caller is told and
    queued for an agent (hanging up there is an abandon, canceled in routing)."""
    emulator.register_party(PARTNER, Callee(mode, ring_seconds=1))
    caller = _partner_caller().wait_for_prompt("You are number").hang_up()
    call = emulator.place_call(CUSTOMER, NUMBER, caller)
    call.wait_until_over(timeout=15)
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    eventually(lambda: "canceled" in event_types(voice_app, interaction.id), timeout=10)
    failed = next(e for e in events(voice_app, interaction.id) if e.type == "transfer_failed")
    assert failed.data["dial_status"] == mode
    assert failed.data["then"] == "queued"
    assert call.heard("not answering")
    kinds = event_types(voice_app, interaction.id)
    assert "transferred" not in kinds
    assert kinds.index("transfer_failed") < kinds.index("queued") < kinds.index("abandoned")
