"""Input verbs: <Gather> (DTMF and speech, nested prompts, barge-in) and <Record>.

The scripted party's keys and words arrive in the call's input queue; these verbs consume them
with Twilio's termination rules (numDigits, finishOnKey, timeout, maxLength) and post the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import defaults
from .call import PartyInput
from .interpreter import HANGUP, Interpreter, Next, Outcome
from .twiml import Verb


def _next_input(interp: Interpreter, seconds: float) -> PartyInput | None:
    """The next key press or utterance within `seconds`; None on timeout or interruption."""
    c = interp.call
    with c.cond:
        interp.carrier.clock.wait_until(c.cond, lambda: bool(c.inputs) or c.interrupted, seconds)
        if c.interrupted or not c.inputs:
            return None
        return c.inputs.popleft()


def _prompt(interp: Interpreter, child: Verb) -> bool:
    """Play one nested Say/Play/Pause; False once the caller barges in (or the call ends)."""
    from .verbs import play_media

    def barged_in() -> bool:
        return bool(interp.call.inputs)

    if child.name == "Say":
        return interp.say(
            child.text,
            child.get("voice", "") or "",
            child.get("language", "") or "",
            int(child.number("loop", 1)),
            stop=barged_in,
        )
    if child.name == "Play":
        return play_media(interp, child, stop=barged_in)
    return interp.sleep(child.number("length", 1.0), stop=barged_in)


@dataclass
class _Collected:
    digits: str = ""
    finished_on: str = ""
    speech: PartyInput | None = None

    def add_keys(self, keys: str, finish: str, num_digits: int) -> bool:
        """Take keys one by one; True once finishOnKey or numDigits ends the gather."""
        for key in keys:
            if key in finish:
                self.finished_on = key
                return True
            self.digits += key
            if num_digits and len(self.digits) >= num_digits:
                return True
        return False


def _collect(interp: Interpreter, verb: Verb, kinds: frozenset[str]) -> _Collected:
    """Play the nested prompts (interruptible), then take input until a rule ends the gather."""
    num_digits = int(verb.number("numDigits", 0))
    timeout = verb.number("timeout", defaults.GATHER_TIMEOUT)
    finish = verb.get("finishOnKey", defaults.GATHER_FINISH_ON_KEY) or ""
    got = _Collected()
    for child in verb.children:
        if not _prompt(interp, child):
            break
    # `timeout` applies before the first input and again between keys, as in Twilio.
    while (item := _next_input(interp, timeout)) is not None:
        if item.speech and "speech" in kinds:
            got.speech = item
            break
        if "dtmf" in kinds and got.add_keys(item.digits, finish, num_digits):
            break
    return got


def gather(interp: Interpreter, verb: Verb) -> Outcome:
    kinds = frozenset(verb.words("input", "dtmf") & {"dtmf", "speech"})
    c = interp.call
    with c.cond:
        c.inputs.clear()
        c.gathering = kinds
        c.record("app", "gather", " ".join(sorted(kinds)))
    try:
        got = _collect(interp, verb, kinds)
    finally:
        with c.cond:
            c.gathering = frozenset()
    if interp.interrupted:
        return None
    if not got.digits and got.speech is None and not verb.flag("actionOnEmptyResult"):
        return None  # Twilio falls through to the next verb when nothing was entered
    params: dict[str, str] = {}
    if got.speech is not None:
        params["SpeechResult"] = got.speech.speech
        params["Confidence"] = f"{got.speech.confidence:.8f}".rstrip("0").rstrip(".")
    elif "dtmf" in kinds:
        params["Digits"] = got.digits
        if got.finished_on:
            params["FinishedOnKey"] = got.finished_on
    url = verb.get("action") or interp.doc_url
    return Next(url, (verb.get("method") or "POST").upper(), params)


def record(interp: Interpreter, verb: Verb) -> Outcome:
    max_length = verb.number("maxLength", defaults.RECORD_MAX_LENGTH)
    silence = verb.number("timeout", defaults.RECORD_TIMEOUT)
    finish = verb.get("finishOnKey", defaults.RECORD_FINISH_ON_KEY) or ""
    c, clock = interp.call, interp.carrier.clock
    if verb.flag("playBeep", True):
        with c.cond:
            c.record("carrier", "beep")
        interp.sleep(defaults.BEEP_SECONDS)
    with c.cond:
        c.inputs.clear()
        c.recording = True
        c.record("app", "record", "", maxLength=f"{max_length:g}")
    start = clock.elapsed()
    spoken_until, words, key = start, [], ""
    try:
        while True:
            # Recording stops after `silence` seconds without speech, or at maxLength.
            deadline = min(start + max_length, max(spoken_until, clock.elapsed()) + silence)
            item = _next_input(interp, deadline - clock.elapsed())
            if item is None:
                break
            if item.speech:
                words.append(item.speech)
                spoken_until = max(spoken_until, clock.elapsed()) + item.seconds
            hit = next((k for k in item.digits if k in finish), "")
            if hit:
                key = hit
                break
    finally:
        with c.cond:
            c.recording = False
            hung_up = c.hangup_requested is not None
    if interp.redirect_pending:
        return None
    duration = min(max_length, spoken_until - start) if words else 0.0
    recording = interp.carrier.recordings.create(
        c,
        duration=max(1, round(duration)) if words else 0,
        source="RecordVerb",
        text=" ".join(words),
        status_callback=verb.get("recordingStatusCallback"),
        status_callback_method=verb.get("recordingStatusCallbackMethod") or "POST",
    )
    params = {
        "RecordingUrl": recording.media_url,
        "RecordingSid": recording.sid,
        "RecordingDuration": str(recording.duration),
        "Digits": "hangup" if hung_up else key,
    }
    url = verb.get("action") or interp.doc_url
    method = (verb.get("method") or "POST").upper()
    if hung_up:
        # Twilio still reports the recording to the action URL; the TwiML it returns is ignored.
        if verb.get("action"):
            interp.request(url, method, params, purpose="action-after-hangup")
        return HANGUP
    return Next(url, method, params)
