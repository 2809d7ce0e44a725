"""Tests for voice.replies.request_key: a retry's identity covers what the signature covers."""

from __future__ import annotations

from contactcentre.voice.replies import request_key

CALL = {"CallSid": "CA" + "a" * 32, "From": "+14155550100"}


def test_a_retry_has_the_key_of_the_first_delivery() -> None:
    """The same token, URL and parameters (in any order) give the same key."""
    reordered = dict(reversed(list(CALL.items())))
    assert request_key("t1", "/twilio/voice?", CALL) == request_key(
        "t1", "/twilio/voice?", reordered
    )


def test_a_reused_token_with_another_request_has_another_key() -> None:
    """The unsigned token alone never decides: another call, URL or parameter is another key."""
    key = request_key("t1", "/twilio/voice?", CALL)
    assert request_key("t1", "/twilio/voice?", {**CALL, "CallSid": "CA" + "b" * 32}) != key
    assert request_key("t1", "/twilio/status?", CALL) != key
    assert request_key("t1", "/twilio/voice?", {**CALL, "Digits": "1"}) != key
    assert request_key("t2", "/twilio/voice?", CALL) != key
    assert request_key(None, "/twilio/voice?", CALL) != key
