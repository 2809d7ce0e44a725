"""The voice channel's only TwiML renderer: what callers and agents hear outside the IVR flows
(which ivr/twiml.py renders). Callers pass words and URLs; nothing here reads call state."""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import VoiceResponse

from contactcentre.voice.prompts import say_options

CONFERENCE_EVENTS = "start end join leave mute hold"


@dataclass(frozen=True)
class Sentence:
    """Words to say, and the language whose voice says them (None: Twilio's default voice)."""

    text: str
    language: str | None = None


@dataclass(frozen=True)
class ConferenceSeat:
    """A leg joining a call's conference: its label, and whether leaving ends the call."""

    conference: str
    label: str
    ends_on_exit: bool
    events_url: str


def hang_up(*before: Sentence) -> str:
    """Say each sentence, then end the call."""
    response = VoiceResponse()
    _say(response, before)
    response.hangup()
    return str(response)


def say_then_go(sentence: Sentence, url: str) -> str:
    """Say it, then fetch the TwiML at `url` (e.g. back to the queue after a failed transfer)."""
    response = VoiceResponse()
    _say(response, (sentence,))
    response.redirect(url, method="POST")
    return str(response)


def join_conference(seat: ConferenceSeat, *before: Sentence) -> str:
    """Into the call's conference (the customer's leaving ends it; an agent's does not)."""
    response = VoiceResponse()
    _say(response, before)
    dial = response.dial()
    dial.conference(
        seat.conference,
        start_conference_on_enter=True,
        end_conference_on_exit=seat.ends_on_exit,
        beep=False,
        participant_label=seat.label,
        status_callback=seat.events_url,
        status_callback_event=CONFERENCE_EVENTS,
        status_callback_method="POST",
    )
    return str(response)


def queue_round(
    *, key_url: str, announcements: list[Sentence], music_url: str, next_round_url: str
) -> str:
    """One round of waiting in the queue: announcements, music, one key listened for."""
    response = VoiceResponse()
    gather = response.gather(input="dtmf", num_digits=1, timeout=1, action=key_url, method="POST")
    _say(gather, announcements)
    gather.play(music_url)
    response.redirect(next_round_url, method="POST")
    return str(response)


def voicemail(prompt: Sentence, recording_url: str, max_seconds: int) -> str:
    """The prompt, a beep, a recording posted to `recording_url`, then the end of the call."""
    response = VoiceResponse()
    _say(response, (prompt,))
    response.record(action=recording_url, max_length=max_seconds, play_beep=True)
    response.hangup()
    return str(response)


def hold_music(url: str) -> str:
    """What a held caller hears, looped until they are taken off hold."""
    response = VoiceResponse()
    response.play(url, loop=0)
    return str(response)


def announce(sentence: Sentence) -> str:
    """Words played into a conference (the recording-consent notice)."""
    response = VoiceResponse()
    _say(response, (sentence,))
    return str(response)


def _say(verb: object, sentences: tuple[Sentence, ...] | list[Sentence]) -> None:
    for sentence in sentences:
        options = say_options(sentence.language) if sentence.language else {}
        verb.say(sentence.text, **options)  # type: ignore[attr-defined]  # VoiceResponse/Gather
