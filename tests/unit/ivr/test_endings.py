"""Tests for ivr.endings: enqueue, voicemail, callback request, transfer and hang-up finish."""

from __future__ import annotations

from ivr import Enqueue, Hangup, RequestCallback, Say, Transfer, Voicemail

from .fakes import GOLD_CALLER, call, inline_engine, kinds


def test_enqueue_carries_intent_language_segment_and_priority() -> None:
    """Enqueue hands routing the intent, language, segment, customer and priority."""
    engine = inline_engine(
        {
            "who": {"type": "identify", "known": "boost", "unknown": "boost"},
            "boost": {"type": "set", "priority": "+3", "next": "queue"},
            "queue": {
                "type": "enqueue",
                "intent": "billing",
                "queue": "billing",
                "prompt": "Hold on",
            },
        }
    )
    step = engine.start(call(GOLD_CALLER))
    assert kinds(step) == ["Say", "Enqueue"]
    enqueue = step.actions[-1]
    assert isinstance(enqueue, Enqueue)
    assert (enqueue.priority, enqueue.queue) == (3, "billing")
    attributes = enqueue.attributes
    assert (attributes["intent"], attributes["language"], attributes["segment"]) == (
        "billing",
        "en",
        "gold",
    )
    assert (attributes["customer_id"], attributes["channel"]) == ("C1", "voice")
    assert step.finished and step.state["waiting_at"] is None


def test_enqueue_of_unknown_caller_has_defaults() -> None:
    """Without an intent or a known customer, routing still gets intent and segment."""
    step = inline_engine({"queue": {"type": "enqueue"}}).start(call("+1000"))
    enqueue = step.actions[-1]
    assert isinstance(enqueue, Enqueue)
    assert (enqueue.attributes["intent"], enqueue.attributes["segment"]) == ("general", "unknown")


def test_voicemail_records_then_hangs_up() -> None:
    """Voicemail says its prompt, records with the node's limits and hangs up."""
    step = inline_engine(
        {"vm": {"type": "voicemail", "prompt": "Speak", "max_length": 60, "transcribe": False}}
    ).start(call())
    assert step.actions == (
        Say("Speak", "en"),
        Voicemail(max_length=60, transcribe=False),
        Hangup(),
    )


def test_callback_requests_a_call_to_the_caller_number() -> None:
    """A callback node asks the app to call the caller back as soon as possible."""
    step = inline_engine({"cb": {"type": "callback", "prompt": "We will call"}}).start(
        call("+15550001")
    )
    request = step.actions[0]
    assert isinstance(request, RequestCallback)
    assert (request.number, request.slot_id) == ("+15550001", None)
    assert kinds(step) == ["RequestCallback", "Say", "Hangup"]


def test_transfer_dials_the_external_number() -> None:
    """A transfer connects the caller to the configured number with its caller id."""
    node = {"type": "transfer", "number": "+15550100", "caller_id": "+15550199"}
    step = inline_engine({"t": node}).start(call())
    assert step.actions == (Transfer("+15550100", "+15550199"),)


def test_hangup_says_goodbye_and_ends() -> None:
    """Hang-up speaks its optional prompt and ends the call."""
    step = inline_engine({"bye": {"type": "hangup", "prompt": "Bye"}}).start(call())
    assert kinds(step) == ["Say", "Hangup"]
    assert step.finished
