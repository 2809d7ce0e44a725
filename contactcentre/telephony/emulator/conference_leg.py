"""A call leg inside a conference: <Dial><Conference> and REST-created participants.

The leg stays in the room, hearing wait music, the mix, hold music or announcements as the room
changes, until it hangs up, is redirected, kicked, or the conference ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import defaults
from .call import Call
from .conference import Conference, Participant
from .interpreter import HANGUP, Interpreter, Next, Outcome
from .twiml import TwimlError, Verb, parse

if TYPE_CHECKING:
    from collections.abc import Callable

    from .carrier import Carrier

MUSIC_VERBS = frozenset({"Say", "Play", "Pause", "Redirect"})


def builtin_music(url: str | None) -> bool:
    """Twilio's own hold music (twimlets) is played by the emulator without fetching it."""
    return not url or "twimlets.com" in url or "twilio.com" in url


@dataclass(frozen=True)
class JoinOptions:
    """How a participant enters: TwiML <Conference> attributes or REST Participant parameters."""

    muted: bool = False
    beep: str = "true"
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    wait_url: str | None = None
    wait_method: str = "POST"
    coaching: bool = False
    call_sid_to_coach: str | None = None
    label: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: frozenset[str] = frozenset()

    def participant(self, call_sid: str, conference_sid: str) -> Participant:
        return Participant(
            call_sid,
            conference_sid,
            label=self.label,
            muted=self.muted,
            coaching=self.coaching or bool(self.call_sid_to_coach),
            call_sid_to_coach=self.call_sid_to_coach,
            start_conference_on_enter=self.start_conference_on_enter,
            end_conference_on_exit=self.end_conference_on_exit,
            beep=self.beep,
            wait_url=self.wait_url,
            wait_method=self.wait_method,
        )


def play_loop(interp: Interpreter, url: str, method: str, until: Callable[[], bool]) -> None:
    """Play a music/announcement document again and again until `until()` (or interruption)."""
    interp.stop_when = until
    try:
        while not interp.interrupted:
            began = interp.carrier.clock.elapsed()
            answer = interp.request(url, method, purpose="music", fatal=False)
            if answer is None:
                break
            if answer[1].startswith("audio/"):
                with interp.call.cond:
                    interp.call.record("app", "play", url)
                interp.sleep(defaults.PLAY_SECONDS)
            else:
                try:
                    outcome = interp.execute(parse(*answer), MUSIC_VERBS)
                except TwimlError:
                    break
                if isinstance(outcome, Next) and outcome.url:
                    url = outcome.url
            spent = interp.carrier.clock.elapsed() - began
            interp.sleep(max(0.0, defaults.WAIT_LOOP_MIN_SECONDS - spent))
        with interp.call.cond:
            interp.call.cond.wait_for(interp.stopped)
    finally:
        interp.stop_when = None


def _announce(interp: Interpreter, url: str, method: str) -> None:
    answer = interp.request(url, method, purpose="announce", fatal=False)
    if answer is not None and not answer[1].startswith("audio/"):
        try:
            interp.execute(parse(*answer), MUSIC_VERBS)
        except TwimlError:
            return


def _wait_for_change(
    c: Call,
    conference: Conference,
    participant: Participant,
    audio: str,
    removed: Callable[[], bool],
) -> None:
    with c.cond:
        c.cond.wait_for(
            lambda: (
                removed() or conference.audio_of(c.sid) != audio or bool(participant.announcements)
            )
        )


def stay_in_conference(
    interp: Interpreter, conference: Conference, participant: Participant
) -> None:
    """Follow the room's audio for this leg until it is no longer a participant."""
    c, book = interp.call, interp.carrier.conferences
    book.connect(conference, participant)
    if participant.beep in ("true", "onEnter"):
        with c.cond:
            c.record("carrier", "beep", "conference enter")
    heard = ""

    def removed() -> bool:
        return c.interrupted or c.conference_sid != conference.sid

    while True:
        with c.cond:
            if removed():
                break
            audio = conference.audio_of(c.sid)
            if audio != heard:
                c.record("carrier", audio, conference.friendly_name)
                heard = audio
            announcement = (
                participant.announcements.popleft() if participant.announcements else None
            )
        if announcement is not None:
            _announce(interp, *announcement)
        elif audio == "hold-music" and not builtin_music(participant.hold_url):
            play_loop(
                interp,
                participant.hold_url or "",
                participant.hold_method,
                lambda: removed() or not participant.hold,
            )
        elif audio == "wait-music" and not builtin_music(participant.wait_url):
            play_loop(
                interp,
                participant.wait_url or "",
                participant.wait_method,
                lambda: removed() or conference.audio_of(c.sid) != "wait-music",
            )
        else:
            _wait_for_change(c, conference, participant, audio, removed)
    with c.cond:
        still_in = c.conference_sid == conference.sid
        reason = "hangup" if c.hangup_requested else "redirect"
    if still_in:
        book.leave(c.sid, reason)


def _options(noun: Verb) -> JoinOptions:
    return JoinOptions(
        muted=noun.flag("muted"),
        beep=noun.get("beep", "true") or "true",
        start_conference_on_enter=noun.flag("startConferenceOnEnter", True),
        end_conference_on_exit=noun.flag("endConferenceOnExit"),
        wait_url=noun.get("waitUrl"),
        wait_method=(noun.get("waitMethod") or "POST").upper(),
        call_sid_to_coach=noun.get("coach") or None,
        label=noun.get("participantLabel"),
        status_callback=noun.get("statusCallback"),
        status_callback_method=(noun.get("statusCallbackMethod") or "POST").upper(),
        status_callback_events=noun.words("statusCallbackEvent"),
    )


def join(
    carrier: Carrier, call: Call, name: str, options: JoinOptions
) -> tuple[Conference, Participant]:
    """Put `call` (still connecting) into the conference called `name` or with that sid."""
    book = carrier.conferences
    with carrier.cond:
        conference = book.get(name) or book.open(name)
        book.subscribe(
            conference,
            options.status_callback,
            options.status_callback_method,
            options.status_callback_events,
        )
        participant = options.participant(call.sid, conference.sid)
        book.add(conference, participant)
    return conference, participant


def dial_conference(interp: Interpreter, verb: Verb) -> Outcome:
    noun = next(child for child in verb.children if child.name == "Conference")
    with interp.call.cond:
        interp.call.record("app", "conference", noun.text)
    conference, participant = join(interp.carrier, interp.call, noun.text, _options(noun))
    stay_in_conference(interp, conference, participant)
    c = interp.call
    with c.cond:
        hung_up, redirected = c.hangup_requested is not None, c.redirect is not None
    action = verb.get("action")
    method = (verb.get("method") or "POST").upper()
    params = {"DialCallStatus": "completed"}
    if hung_up:
        if action:
            interp.request(action, method, params, purpose="action-after-hangup", fatal=False)
        return HANGUP
    if redirected:
        return None
    return Next(action, method, params) if action else None


def participant_program(
    carrier: Carrier, conference: Conference, participant: Participant
) -> Callable[[Call], None]:
    """What a REST-created participant's leg runs once answered: the conference, then hang up."""

    def program(call: Call) -> None:
        interp = Interpreter(carrier, call)
        stay_in_conference(interp, conference, participant)
        if not interp.redirect_pending:
            interp.hang_up("left-conference")

    return program
