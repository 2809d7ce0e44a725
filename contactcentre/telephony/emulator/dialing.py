"""<Dial> to numbers, clients and queues: ring child legs, bridge the first to answer, report.

Child legs are real calls (direction outbound-dial, ParentCallSid set) with their own status
callbacks and optional whisper `url`; the parent continues with the action URL or next verb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import defaults
from .call import Call, CallStatus, Direction
from .interpreter import HANGUP, Interpreter, Next, Outcome
from .twiml import Verb

if TYPE_CHECKING:
    from .carrier import Carrier
    from .legs import Program


def _targets(verb: Verb) -> list[tuple[str, Verb | None]]:
    if not verb.children:
        return [(verb.text, None)]
    targets: list[tuple[str, Verb | None]] = []
    for noun in verb.children:
        if noun.name == "Number":
            targets.append((noun.text, noun))
        elif noun.name == "Client":
            identity = next((c.text for c in noun.children if c.name == "Identity"), noun.text)
            targets.append((f"client:{identity}", noun))
    return targets


def _bridge_program(carrier: Carrier, parent: Call, whisper: str | None, method: str) -> Program:
    """The child leg: play the whisper, claim the bridge if still wanted, talk, then end."""

    def program(child: Call) -> None:
        if whisper:
            interp = Interpreter(carrier, child, whisper)
            verbs = interp.load(Next(whisper, method))
            if verbs is None or interp.execute(verbs) is HANGUP:
                return
        with carrier.cond:
            if (
                parent.bridged_to is not None
                or child.sid not in parent.ringing_legs
                or parent.interrupted
                or child.interrupted
            ):
                child.hangup_requested = child.hangup_requested or "dial-lost"
                return
            parent.bridged_to, child.bridged_to = child.sid, parent.sid
            parent.ever_connected = child.ever_connected = True
            parent.record("carrier", "bridged", child.to)
            child.record("carrier", "bridged", parent.from_)
            carrier.cond.wait_for(
                lambda: child.interrupted or parent.is_over or parent.bridged_to != child.sid
            )
            child.bridged_to = None
            if child.redirect is None:  # a Dial leg has no TwiML of its own to go back to
                child.hangup_requested = child.hangup_requested or "bridge-ended"
            carrier.cond.notify_all()

    return program


def _no_winner_status(call: Call, legs: list[Call]) -> str:
    if call.interrupted:
        return "canceled"
    statuses = {leg.status for leg in legs}
    if CallStatus.BUSY in statuses:
        return "busy"
    if statuses and statuses <= {CallStatus.FAILED}:
        return "failed"
    return "no-answer"


def _finish(interp: Interpreter, verb: Verb, params: dict[str, str]) -> Outcome:
    c = interp.call
    with c.cond:
        hung_up, redirected = c.hangup_requested is not None, c.redirect is not None
    action = verb.get("action")
    method = (verb.get("method") or "POST").upper()
    if hung_up:
        if action:  # Twilio reports the outcome, but the caller is gone: TwiML ignored
            interp.request(action, method, params, purpose="action-after-hangup", fatal=False)
        return HANGUP
    if redirected:
        return None
    return Next(action, method, params) if action else None


def _record_bridge(interp: Interpreter, verb: Verb, seconds: float, params: dict[str, str]) -> None:
    mode = verb.get("record", "do-not-record") or "do-not-record"
    if mode in ("do-not-record", "false") or seconds <= 0:
        return
    recording = interp.carrier.recordings.create(
        interp.call,
        max(1, round(seconds)),
        "DialVerb",
        status_callback=verb.get("recordingStatusCallback"),
        status_callback_method=verb.get("recordingStatusCallbackMethod") or "POST",
    )
    params.update(
        RecordingUrl=recording.media_url,
        RecordingSid=recording.sid,
        RecordingDuration=str(recording.duration),
    )


def dial(interp: Interpreter, verb: Verb) -> Outcome:
    queue = next((n for n in verb.children if n.name == "Queue"), None)
    if queue is not None:
        return dial_queue(interp, verb, queue)
    carrier, c = interp.carrier, interp.call
    timeout = verb.number("timeout", defaults.DIAL_TIMEOUT)
    caller_id = verb.get("callerId") or c.from_
    legs: list[Call] = []
    for address, noun in _targets(verb):
        legs.append(
            carrier.create_call(
                to=address,
                from_=caller_id,
                direction=Direction.OUTBOUND_DIAL,
                parent_call_sid=c.sid,
                timeout=timeout,
                status_callback=noun.get("statusCallback") if noun else None,
                status_callback_events=noun.words("statusCallbackEvent") if noun else (),
                status_callback_method=(noun.get("statusCallbackMethod") if noun else None)
                or "POST",
                program=_bridge_program(
                    carrier,
                    c,
                    noun.get("url") if noun else None,
                    ((noun.get("method") if noun else None) or "POST").upper(),
                ),
            )
        )
    with c.cond:
        c.ringing_legs = frozenset(leg.sid for leg in legs)
        c.record("app", "dial", ", ".join(leg.to for leg in legs))
        carrier.clock.wait_until(
            c.cond,
            lambda: c.interrupted or c.bridged_to is not None or all(leg.is_over for leg in legs),
            timeout,
        )
        c.ringing_legs = frozenset()
        winner = carrier.calls.get(c.bridged_to or "")
        for leg in legs:
            if leg is not winner and not leg.is_over:
                leg.hangup_requested = leg.hangup_requested or "dial-canceled"
        c.cond.notify_all()
    params: dict[str, str] = {"DialCallSid": legs[0].sid if legs else ""}
    if winner is None:
        params.update(DialCallStatus=_no_winner_status(c, legs), DialBridged="false")
        return _finish(interp, verb, params)
    with c.cond:
        bridged_at = carrier.clock.elapsed()
        c.cond.wait_for(lambda: c.interrupted or winner.interrupted or c.bridged_to != winner.sid)
        talked = carrier.clock.elapsed() - bridged_at
        c.bridged_to = None
        if not winner.interrupted:
            winner.hangup_requested = "parent-left"
        c.cond.notify_all()
    params.update(
        DialCallStatus="completed",
        DialCallSid=winner.sid,
        DialCallDuration=str(round(talked)),
        DialBridged="true",
    )
    _record_bridge(interp, verb, talked, params)
    return _finish(interp, verb, params)


def dial_queue(interp: Interpreter, verb: Verb, noun: Verb) -> Outcome:
    """<Dial><Queue>: bridge this (agent) leg to the longest-waiting caller of the queue."""
    carrier, c = interp.carrier, interp.call
    name = noun.text
    timeout = verb.number("timeout", defaults.DIAL_TIMEOUT)
    queue = carrier.queues.named(name)
    with c.cond:
        c.record("app", "dial-queue", name)
        carrier.clock.wait_until(c.cond, lambda: c.interrupted or bool(queue.members), timeout)
        caller = None if c.interrupted else carrier.queues.dequeue(name, c)
    if caller is None:
        return _finish(interp, verb, {"DialCallStatus": "no-answer", "DialBridged": "false"})
    with c.cond:
        bridged_at = carrier.clock.elapsed()
        c.cond.wait_for(
            lambda: (
                c.interrupted or caller.is_over or caller.interrupted or caller.bridged_to != c.sid
            )
        )
        talked = carrier.clock.elapsed() - bridged_at
        c.bridged_to = None
        c.cond.notify_all()
    params = {
        "DialCallStatus": "completed",
        "DialCallSid": caller.sid,
        "DialCallDuration": str(round(talked)),
        "DialBridged": "true",
        "QueueSid": queue.sid,
    }
    _record_bridge(interp, verb, talked, params)
    return _finish(interp, verb, params)
