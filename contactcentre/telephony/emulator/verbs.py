"""The verb table: which function executes each TwiML verb, plus the simple verbs themselves.

Say, Play, Pause, Redirect, Hangup, Reject and Leave are a few lines each; the rest are imported
from their own modules.
"""

from __future__ import annotations

from collections.abc import Callable

from . import defaults
from .call import CallStatus
from .conference_leg import dial_conference
from .dialing import dial
from .inputs import gather, record
from .interpreter import HANGUP, LEAVE, Handler, Interpreter, Next, Outcome
from .queues import enqueue
from .twiml import Verb


def say(interp: Interpreter, verb: Verb) -> Outcome:
    interp.say(
        verb.text,
        verb.get("voice", "") or "",
        verb.get("language", "") or "",
        int(verb.number("loop", 1)),
    )
    return None


def play_media(interp: Interpreter, verb: Verb, stop: Callable[[], bool] | None = None) -> bool:
    """Record a <Play> (audio URL or DTMF `digits`) and let its emulated length pass."""
    loops = int(verb.number("loop", 1)) or 1000
    digits = verb.get("digits")
    for _ in range(loops):
        with interp.call.cond:
            if digits:
                interp.call.record("app", "play-digits", digits)
            else:
                interp.call.record("app", "play", verb.text)
        if not interp.sleep(defaults.PLAY_SECONDS, stop):
            return False
        if digits:
            break
    return True


def play(interp: Interpreter, verb: Verb) -> Outcome:
    play_media(interp, verb)
    return None


def pause(interp: Interpreter, verb: Verb) -> Outcome:
    with interp.call.cond:
        interp.call.record("app", "pause", "", length=verb.get("length", "1") or "1")
    interp.sleep(verb.number("length", 1.0))
    return None


def redirect(interp: Interpreter, verb: Verb) -> Outcome:
    return Next(verb.text, (verb.get("method") or "POST").upper())


def hangup(interp: Interpreter, verb: Verb) -> Outcome:
    return HANGUP


def reject(interp: Interpreter, verb: Verb) -> Outcome:
    """<Reject> refuses an unanswered inbound call; the call is never answered (not billed)."""
    c = interp.call
    with c.cond:
        c.record("app", "reject", verb.get("reason", "rejected") or "rejected")
        if c.status in (CallStatus.QUEUED, CallStatus.RINGING):
            c.hangup_requested = "rejected-busy" if verb.get("reason") == "busy" else "rejected"
            c.cond.notify_all()
    return HANGUP


def leave(interp: Interpreter, verb: Verb) -> Outcome:
    return LEAVE


def dial_any(interp: Interpreter, verb: Verb) -> Outcome:
    if any(child.name == "Conference" for child in verb.children):
        return dial_conference(interp, verb)
    return dial(interp, verb)


HANDLERS: dict[str, Handler] = {
    "Say": say,
    "Play": play,
    "Pause": pause,
    "Redirect": redirect,
    "Hangup": hangup,
    "Reject": reject,
    "Leave": leave,
    "Gather": gather,
    "Record": record,
    "Dial": dial_any,
    "Enqueue": enqueue,
}
