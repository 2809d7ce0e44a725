"""Correctly signed but malformed webhooks, on every voice route: a carrier's value in a shape
Twilio never sends is refused with 400 naming the field; junk a live caller typed or said is an
answer the IVR did not understand, and it asks again. Never a 500."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from contactcentre.store.models import Interaction, InteractionEvent
from tests.integration.voice.webhook_cases import (
    ARABIC_123,
    FULLWIDTH_12,
    PREFIX,
    ROUTES,
    SUPERSCRIPT_2,
    Scene,
    gather_path,
    signed_post,
    voice_rules,
)


@dataclass(frozen=True)
class Case:
    """Parameter `name` set to `value` (and `drop` removed) in an otherwise valid request."""

    name: str
    value: str
    drop: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.name}={self.value[:24]!r}{'...' if len(self.value) > 24 else ''}"


SPEECH = ("Digits",)
# What a caller types or says: on the IVR's answer route, a re-prompt of the same question.
CALLER_INPUT = [
    Case("Digits", "12a"),
    Case("Digits", ARABIC_123),
    Case("Digits", FULLWIDTH_12),
    Case("Digits", SUPERSCRIPT_2),
    Case("Digits", "😀"),
    Case("Digits", "1" * 300),
    Case("Confidence", "nan", SPEECH, {"SpeechResult": "english"}),
    Case("Confidence", "inf", SPEECH, {"SpeechResult": "english"}),
    Case("Confidence", "-inf", SPEECH, {"SpeechResult": "english"}),
    Case("Confidence", "-1", SPEECH, {"SpeechResult": "english"}),
    Case("Confidence", "2", SPEECH, {"SpeechResult": "english"}),
    Case("Confidence", "1e999", SPEECH, {"SpeechResult": "english"}),
    Case("Confidence", "\u0660.\u0669", SPEECH, {"SpeechResult": "english"}),
    Case("SpeechResult", ARABIC_123, SPEECH, {"Confidence": "0.9"}),
    Case("SpeechResult", SUPERSCRIPT_2 * 3, SPEECH, {"Confidence": "0.9"}),  # NFKD: "222"
    Case("SpeechResult", "😀" * 50, SPEECH, {"Confidence": "0.9"}),
    Case("SpeechResult", "a\x00b", SPEECH, {"Confidence": "0.9"}),
    Case("SpeechResult", "yes " * 2000, SPEECH, {"Confidence": "0.9"}),
]
LONG = "9" * 300
# What only the carrier makes: refused with 400 naming the field, on every route.
CARRIER = [
    Case("CallSid", "CA" + "g" * 32),
    Case("CallSid", "CA" + "a" * 300),
    Case("CallSid", "CA" + ARABIC_123 * 10 + "00"),
    Case("CallSid", "ca" + "a" * 32),
    Case("AccountSid", "AC" + "1" * 31),
    Case("ParentCallSid", "not-a-sid"),
    Case("DialCallSid", "CA" + "a" * 33),
    Case("From", "+1" + LONG),
    Case("From", "+1415555\x000100"),
    Case("To", "x" * 300),
    Case("Caller", "+1" + LONG),
    Case("Called", "sip:" + "a" * 300 + "@example.com"),
    Case("CallerName", "N" * 300),
    Case("CallerName", "\x07bell"),
    Case("CallStatus", "completed" + "x" * 100),
    Case("CallStatus", "in progress\n"),
    Case("Direction", "inbound\x00"),
    Case("CallDuration", SUPERSCRIPT_2),
    Case("RecordingSid", "RE" + "z" * 32),
    Case("RecordingUrl", "https://api.twilio.com/" + "a" * 3000),
    Case("RecordingUrl", "javascript:alert(1)"),
    Case("RecordingDuration", ARABIC_123),
    Case("RecordingDuration", SUPERSCRIPT_2),
    Case("RecordingDuration", FULLWIDTH_12),
    Case("RecordingDuration", "-1"),
    Case("RecordingDuration", LONG),
    Case("RecordingStatus", "x" * 100),
    Case("AnsweredBy", "human\x00"),
    Case("MachineDetectionDuration", ARABIC_123),
    Case("MachineDetectionDuration", SUPERSCRIPT_2),
    Case("MachineDetectionDuration", "nan"),
    Case("StatusCallbackEvent", "participant-" + "x" * 100),
    Case("ConferenceSid", "CF" + "q" * 32),
    Case("FriendlyName", "x" * 300),
    Case("ParticipantLabel", "agent\x00"),
    Case("ReasonParticipantLeft", "x" * 300),
    Case("SequenceNumber", LONG),
    Case("SequenceNumber", ARABIC_123),
    Case("SequenceNumber", "-3"),
    Case("DialCallStatus", "x" * 300),
    Case("DialCallDuration", FULLWIDTH_12),
]
# The query of our own IVR answer URLs: one we never made is refused.
STEP = [ARABIC_123, SUPERSCRIPT_2, FULLWIDTH_12, "1" * 300, "-1", ""]


def _with(params: dict[str, str], case: Case) -> dict[str, str]:
    kept = {k: v for k, v in params.items() if k not in case.drop}
    return {**kept, **case.extra, case.name: case.value}


def _ivr_steps(app: Any, call_sid: str) -> int:
    with app.extensions["contactcentre"].db.session() as session:
        iid = session.scalar(select(Interaction.id).where(Interaction.external_id == call_sid))
        of_call = InteractionEvent.interaction_id == iid
        steps = InteractionEvent.type == "ivr_step"
        query = select(func.count()).select_from(InteractionEvent).where(of_call, steps)
        return int(session.scalar(query) or 0)


def _refused_naming(response: Any, name: str) -> str:
    """'' when `response` is a 400 whose JSON error names `name`; else what it was instead."""
    body = response.get_json(silent=True) or {}
    error = body.get("error") if isinstance(body, dict) else None
    if response.status_code == 400 and isinstance(error, dict) and error.get("field") == name:
        return "" if error.get("code") and error.get("message") else f"no code/message: {body}"
    return f"{response.status_code} {response.get_data(as_text=True)[:200]!r}"


def test_the_table_covers_every_voice_route(voice_app: Any) -> None:
    """Each URL rule under /twilio has a request builder here, so a new route is tested too."""
    assert voice_rules(voice_app) == set(ROUTES)


@pytest.mark.parametrize("rule", sorted(ROUTES))
def test_a_carriers_malformed_value_is_refused_naming_it(
    voice_app: Any, voice_client: Any, rule: str
) -> None:
    """A SID, address, status, counter or duration in a shape Twilio never sends: 400 with a
    JSON error naming the parameter, on every route; the same request well formed is 2xx."""
    scene = Scene(voice_app, voice_client)
    baseline = scene.for_rule(rule)
    ok = signed_post(voice_app, voice_client, baseline.path, baseline.params)
    assert ok.status_code in (200, 204), ok.get_data(as_text=True)
    wrong = []
    for case in CARRIER:
        request = scene.for_rule(rule)
        response = signed_post(voice_app, voice_client, request.path, _with(request.params, case))
        problem = _refused_naming(response, case.name)
        if problem:
            wrong.append(f"{case}: {problem}")
    assert not wrong, f"{len(wrong)} of {len(CARRIER)} on {rule}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("rule", sorted(ROUTES))
def test_junk_a_caller_typed_or_said_is_never_an_error(
    voice_app: Any, voice_client: Any, rule: str
) -> None:
    """Letters, non-ASCII digits or emoji in Digits, a NaN or out-of-range Confidence, odd
    speech: answered 2xx on every route (they are the caller's, not the carrier's)."""
    scene = Scene(voice_app, voice_client)
    wrong = []
    for case in CALLER_INPUT:
        request = scene.for_rule(rule)
        response = signed_post(voice_app, voice_client, request.path, _with(request.params, case))
        if response.status_code not in (200, 204):
            wrong.append(f"{case}: {response.status_code} {response.get_data(as_text=True)[:200]}")
    assert not wrong, f"{len(wrong)} of {len(CALLER_INPUT)} on {rule}:\n" + "\n".join(wrong)


def test_junk_answers_to_the_ivr_ask_the_same_question_again(
    voice_app: Any, voice_client: Any
) -> None:
    """On the IVR's answer route, junk input is an answer it did not understand: the same
    question again (a live caller needs a re-prompt, not an error), and the attempt is logged."""
    scene = Scene(voice_app, voice_client)
    wrong = []
    for case in CALLER_INPUT:
        request = scene.ivr_question()
        call_sid = request.params["CallSid"]
        before = _ivr_steps(voice_app, call_sid)
        response = signed_post(voice_app, voice_client, request.path, _with(request.params, case))
        if response.status_code != 200:
            wrong.append(f"{case}: {response.status_code} {response.get_data(as_text=True)[:200]}")
            continue
        again = gather_path(response.get_data())
        if not again.startswith(f"{PREFIX}/ivr/{request.node}?"):
            wrong.append(f"{case}: moved on to {again}")
        elif _ivr_steps(voice_app, call_sid) != before + 1:
            wrong.append(f"{case}: the attempt was not logged as an ivr_step")
    assert not wrong, f"{len(wrong)} of {len(CALLER_INPUT)}:\n" + "\n".join(wrong)


def test_an_ivr_answer_url_with_a_step_we_never_made_is_refused(
    voice_app: Any, voice_client: Any
) -> None:
    """`step` in the answer URL is ours: ASCII digits only (int() takes Arabic-Indic digits
    and raises on a superscript two); anything else is 400 naming `step`."""
    scene = Scene(voice_app, voice_client)
    wrong = []
    for step in STEP:
        request = scene.ivr_question()
        path = request.path.split("&step=")[0] + f"&step={quote(step, safe='')}"
        problem = _refused_naming(
            signed_post(voice_app, voice_client, path, request.params), "step"
        )
        if problem:
            wrong.append(f"step={step[:24]!r}: {problem}")
    assert not wrong, f"{len(wrong)} of {len(STEP)}:\n" + "\n".join(wrong)
