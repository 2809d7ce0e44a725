"""The shapes of the parameters Twilio posts to voice webhooks, checked before a view runs: a
carrier's value in a shape Twilio never sends is refused (400 naming it), never stored or keyed.

Decided per parameter. What only the carrier makes (SIDs, addresses, statuses, counters,
durations, URLs) Twilio sends well formed; one that is not is not Twilio's (or is a bug), and
storing it, keying an event by it or cutting it to fit would be worse than refusing, so the
request gets 400 with the parameter named. What the caller makes (Digits, SpeechResult and the
recogniser's Confidence in it) is not checked here: a live caller's junk is an answer the IVR did
not understand, and it asks again (ivr.twiml.caller_input_from_webhook). Empty values are allowed
everywhere, as Twilio sends some empty; they mean "absent". Digits are ASCII [0-9] throughout:
str.isdigit() and int() also take Arabic-Indic, fullwidth and superscript digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

SID_PREFIXES = {
    "AccountSid": "AC",
    "CallSid": "CA",
    "ParentCallSid": "CA",
    "DialCallSid": "CA",
    "ConferenceSid": "CF",
    "RecordingSid": "RE",
    "QueueSid": "QU",
}
# interactions.from_address and to_address are String(254); the same bound for what is not
# stored yet, so it can be without a migration.
ADDRESS_MAX = 254
ADDRESSES = ("From", "To", "Caller", "Called", "CallerName")
# Names we gave (conference names, participant labels); Twilio allows up to 128 characters.
NAMES = {"FriendlyName": 128, "ParticipantLabel": 128}
# Twilio's enumerations ("in-progress", "machine_end_beep", "participant-join"): compared with
# known values, and new ones may come, so only their shape is checked.
WORDS = (
    "CallStatus",
    "Direction",
    "RecordingStatus",
    "AnsweredBy",
    "StatusCallbackEvent",
    "ReasonParticipantLeft",
    "DialCallStatus",
)
# Seconds, milliseconds and sequence numbers; ten digits keep an event key (String(200)) short.
COUNTS = (
    "SequenceNumber",
    "CallDuration",
    "RecordingDuration",
    "MachineDetectionDuration",
    "DialCallDuration",
    "QueueTime",
)
URLS = {"RecordingUrl": 2048}

_HEX32 = re.compile(r"[0-9a-f]{32}")
_WORD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_COUNT = re.compile(r"[0-9]{1,10}")
_URL = re.compile(r"https?://[!-~]+")  # printable ASCII, no spaces


class BadParameter(ValueError):
    """A webhook parameter in a shape Twilio never sends; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check(params: Mapping[str, str]) -> None:
    """Raise BadParameter for the first known parameter that is not in Twilio's shape."""
    for name, prefix in SID_PREFIXES.items():
        value = params.get(name)
        if value and not (value.startswith(prefix) and _HEX32.fullmatch(value[2:])):
            raise BadParameter(name, f"{name} must be {prefix} and 32 lowercase hex digits")
    for name in ADDRESSES:
        _text(params, name, ADDRESS_MAX)
    for name, most in NAMES.items():
        _text(params, name, most)
    for name in WORDS:
        value = params.get(name)
        if value and not _WORD.fullmatch(value):
            raise BadParameter(name, f"{name} must be 1-64 letters, digits, '-' or '_'")
    for name in COUNTS:
        value = params.get(name)
        if value and not _COUNT.fullmatch(value):
            raise BadParameter(name, f"{name} must be 1-10 ASCII digits (0-9)")
    for name, most in URLS.items():
        value = params.get(name)
        if value and (len(value) > most or not _URL.fullmatch(value)):
            raise BadParameter(name, f"{name} must be an http(s) URL of at most {most} characters")


def count(params: Mapping[str, str], name: str) -> int | None:
    """A checked counter (see COUNTS) as a number; None when absent or empty."""
    value = params.get(name) or ""
    return int(value) if _COUNT.fullmatch(value) else None


def step_number(step: str) -> int:
    """The question number in our own IVR answer URL (`?step=`); one we never made is refused."""
    if not re.fullmatch(r"[0-9]{1,9}", step):
        raise BadParameter("step", "step must be 1-9 ASCII digits (0-9), as in the URL we gave")
    return int(step)


def _text(params: Mapping[str, str], name: str, most: int) -> None:
    value = params.get(name)
    if not value:
        return
    if len(value) > most:
        raise BadParameter(name, f"{name} must be at most {most} characters, got {len(value)}")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise BadParameter(name, f"{name} must not contain control characters")
