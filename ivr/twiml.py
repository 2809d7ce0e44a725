"""The only module that speaks TwiML: renders a Step's actions with twilio's VoiceResponse and
reads a Gather webhook back into a caller input. URLs come from the web layer, never from here."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from ivr.actions import (
    Action,
    Enqueue,
    Gather,
    Hangup,
    Play,
    RequestCallback,
    Say,
    Transfer,
    Voicemail,
)
from ivr.engine import Step
from ivr.inputs import CallerInput, Digits, NoInput, Speech

EnqueueRenderer = Callable[[VoiceResponse, Enqueue], None]
_GATHER_INPUT = {"dtmf": "dtmf", "speech": "speech", "both": "dtmf speech"}


@dataclass(frozen=True)
class VoiceSettings:
    """Language code -> Twilio locale, and the voice used when an action names none."""

    locales: Mapping[str, str] = field(default_factory=lambda: {"en": "en-US", "es": "es-MX"})
    voices: Mapping[str, str] = field(
        default_factory=lambda: {"en": "Polly.Joanna", "es": "Polly.Lupe"}
    )

    def locale(self, language: str) -> str:
        return self.locales.get(language, language)


def enqueue_as_redirect(url: str) -> EnqueueRenderer:
    """Send the call to the web layer's enqueue webhook, which hands the task to the router."""

    def render(response: VoiceResponse, _action: Enqueue) -> None:
        response.redirect(url, method="POST")

    return render


def enqueue_as_queue(wait_url: str | None = None, action_url: str | None = None) -> EnqueueRenderer:
    """Park the call in a Twilio queue named after the queue hint (or the intent)."""

    def render(response: VoiceResponse, action: Enqueue) -> None:
        name = action.queue or str(action.attributes["intent"])
        response.enqueue(name, wait_url=wait_url, action=action_url)

    return render


@dataclass(frozen=True)
class TwimlRoutes:
    """Where Twilio posts back; the web layer decides every URL."""

    gather_action: Callable[[str], str]
    enqueue: EnqueueRenderer = field(default_factory=enqueue_as_queue)
    record_action: str | None = None
    transcribe_callback: str | None = None
    transfer_action: str | None = None


def render_twiml(
    actions: Step | Sequence[Action],
    routes: TwimlRoutes,
    settings: VoiceSettings | None = None,
) -> str:
    """TwiML for the actions of one step, as an XML document."""
    settings = settings or VoiceSettings()
    response = VoiceResponse()
    for action in actions.actions if isinstance(actions, Step) else actions:
        _render(response, action, routes, settings)
    return str(response)


def _render(
    response: VoiceResponse, action: Action, routes: TwimlRoutes, settings: VoiceSettings
) -> None:
    if isinstance(action, Say | Play):
        _prompt(response, action, settings)
    elif isinstance(action, Gather):
        _gather(response, action, routes, settings)
    elif isinstance(action, Enqueue):
        routes.enqueue(response, action)
    elif isinstance(action, Voicemail):
        response.record(
            action=routes.record_action,
            max_length=action.max_length,
            finish_on_key=action.finish_on_key,
            play_beep=True,
            transcribe=action.transcribe,
            transcribe_callback=routes.transcribe_callback if action.transcribe else None,
        )
    elif isinstance(action, Transfer):
        dial = response.dial(caller_id=action.caller_id, action=routes.transfer_action)
        dial.number(action.number)
    elif isinstance(action, Hangup):
        response.hangup()
    elif isinstance(action, RequestCallback):
        pass  # booked by the app from Step.actions; there is nothing to tell Twilio
    else:  # pragma: no cover - exhaustive over Action
        raise TypeError(f"cannot render {type(action).__name__} as TwiML")


def _prompt(parent: Any, prompt: Say | Play, settings: VoiceSettings) -> None:
    if isinstance(prompt, Say):
        voice = prompt.voice or settings.voices.get(prompt.language)
        parent.say(prompt.text, voice=voice, language=settings.locale(prompt.language))
    else:
        parent.play(prompt.url)


def _gather(
    response: VoiceResponse, action: Gather, routes: TwimlRoutes, settings: VoiceSettings
) -> None:
    speech = action.kind in ("speech", "both")
    gather = response.gather(
        input=_GATHER_INPUT[action.kind],
        action=routes.gather_action(action.node_id),
        method="POST",
        num_digits=action.num_digits,
        timeout=action.timeout,
        finish_on_key=action.finish_on_key,
        language=settings.locale(action.language),
        hints=", ".join(action.hints) if speech and action.hints else None,
        speech_timeout="auto" if speech else None,
        # Silence must come back to the engine as NoInput, not fall through to the next verb.
        action_on_empty_result=True,
    )
    for prompt in action.prompt:
        _prompt(gather, prompt, settings)


DTMF_KEYS = frozenset("0123456789*#")
MAX_KEYS = 64  # more than any Gather asks for
MAX_SPEECH = 500  # characters; far more than an answer to a question
_CONFIDENCE = re.compile(r"[0-9]*\.?[0-9]+")  # ASCII only: float() reads Arabic-Indic digits too


def caller_input_from_webhook(params: Mapping[str, str]) -> CallerInput:
    """The caller's answer from the parameters Twilio posts to a Gather action URL.

    Whatever arrives is an answer the engine can take, since a caller is waiting on the line:
    keys no keypad makes (letters, non-ASCII digits, emoji) are an answer that matches nothing,
    Digits(""), so the IVR says so and asks again; a Confidence that is not a number from 0 to 1
    (NaN, inf, -1, 2, non-ASCII digits) is none, so the speech is not trusted; characters a
    recogniser never writes (controls) become spaces, and an overlong transcript is not trusted.
    """
    digits = (params.get("Digits") or "").strip()
    if digits:
        return Digits(digits if len(digits) <= MAX_KEYS and set(digits) <= DTMF_KEYS else "")
    said = params.get("SpeechResult") or ""
    speech = "".join(ch if ch.isprintable() else " " for ch in said).strip()
    if len(speech) > MAX_SPEECH:
        return Speech(speech[:MAX_SPEECH], 0.0)
    if speech:
        return Speech(speech, _confidence(params.get("Confidence") or ""))
    return NoInput()


def _confidence(text: str) -> float:
    if not _CONFIDENCE.fullmatch(text.strip()):
        return 0.0
    value = float(text)
    return value if value <= 1.0 else 0.0
