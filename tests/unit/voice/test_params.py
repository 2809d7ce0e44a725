"""Tests for voice.params: the shapes Twilio's carrier-made webhook parameters must have."""

from __future__ import annotations

import pytest

from contactcentre.voice.params import BadParameter, check, count, step_number

GOOD = {
    "AccountSid": "AC" + "1" * 32,
    "CallSid": "CA" + "0123456789abcdef" * 2,
    "From": "sip:+14155550123@pbx.example.com",
    "To": "+15005550006",
    "CallerName": "GRACE HOPPER",
    "CallStatus": "in-progress",
    "AnsweredBy": "machine_end_beep",
    "SequenceNumber": "12",
    "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
    "Digits": "not checked here",
    "ConferenceSid": "",
}


def test_what_twilio_sends_passes() -> None:
    """Well-formed SIDs, addresses, statuses, counters and URLs, and empty values, pass."""
    check(GOOD)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CallSid", "CA" + "A" * 32),
        ("CallSid", "RE" + "a" * 32),
        ("CallSid", "CA" + "\u0661" * 32),
        ("From", "+1" + "5" * 253),
        ("To", "+1\n"),
        ("CallerName", "\x00"),
        ("CallStatus", "in progress"),
        ("SequenceNumber", "9" * 11),
        ("SequenceNumber", "\u0661"),
        ("RecordingDuration", "\u00b2"),
        ("MachineDetectionDuration", "\uff11"),
        ("RecordingUrl", "ftp://example.com/x"),
        ("RecordingUrl", "https://example.com/a b"),
    ],
)
def test_a_value_twilio_never_sends_is_refused_naming_it(name: str, value: str) -> None:
    """Each malformed carrier value raises BadParameter with its own name as the field."""
    with pytest.raises(BadParameter) as refused:
        check({**GOOD, name: value})
    assert refused.value.field == name
    assert value not in str(refused.value)  # the value may be a caller's number: not echoed


def test_counters_and_steps_are_ascii_digits_only() -> None:
    """count() and step_number() read [0-9] only: int() takes Arabic-Indic digits
    and raises on a superscript two."""
    assert count({"RecordingDuration": "42"}, "RecordingDuration") == 42
    assert count({"RecordingDuration": ""}, "RecordingDuration") is None
    assert count({}, "RecordingDuration") is None
    assert step_number("7") == 7
    for step in ("\u0661", "\u00b2", "", "-1", "1" * 10):
        with pytest.raises(BadParameter):
            step_number(step)
