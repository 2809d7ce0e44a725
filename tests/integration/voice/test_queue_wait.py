"""The queue loop's webhook when the call has moved on while its request was in flight."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from contactcentre.voice import call_state as cs
from contactcentre.voice.context import build_voice_context
from contactcentre.voice.queue import wait_twiml


def _twiml(app: Any, phase: str) -> ElementTree.Element:
    ctx = build_voice_context(app.extensions["contactcentre"], with_flow=False)
    ctx.calls.put(cs.LiveCall("iid-1", phase=phase, customer_sid="CA1", conference="cc-iid-1-ab"))
    return ElementTree.fromstring(wait_twiml(ctx, "iid-1"))


def test_answered_meanwhile_joins_the_conference(app: Any) -> None:
    """A queue-wait request that arrives after the agent answered puts the caller into the
    call's conference instead of hanging up (the answer's redirect may not have landed yet)."""
    for phase in (cs.CONNECTED, cs.TRANSFERRING):
        root = _twiml(app, phase)
        assert root.find("Hangup") is None, phase
        assert root.findtext("Dial/Conference") == "cc-iid-1-ab", phase


def test_ended_call_is_hung_up(app: Any) -> None:
    """A queue-wait request for a call that already ended gets a hang-up."""
    assert _twiml(app, cs.ENDED).find("Hangup") is not None
