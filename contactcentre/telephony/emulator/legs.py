"""The life of one call leg in its own thread: ring, answer, detect machines, run, hang up.

Also the call progress status callbacks (initiated, ringing, answered, completed) Twilio sends to
a call's StatusCallback with CallbackSource=call-progress-events.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import defaults
from .call import Call, CallStatus, Direction
from .calllog import LogEntry
from .clock import rfc2822
from .interpreter import Interpreter
from .params import call_params
from .parties import AnswerMode, Line, Party

if TYPE_CHECKING:
    from .carrier import Carrier

Program = Callable[[Call], None]


@dataclass(frozen=True)
class Amd:
    """Answering-machine detection requested on a REST-created call."""

    mode: str  # "Enable" or "DetectMessageEnd"
    asynchronous: bool = False
    callback: str | None = None
    callback_method: str = "POST"


def send_status(carrier: Carrier, call: Call, event: str) -> None:
    """Queue a call-progress status callback if the call subscribed to `event`."""
    with call.cond:
        if not call.status_callback or event not in call.status_callback_events:
            return
        params = call_params(call)
        params.update(
            CallbackSource="call-progress-events",
            Timestamp=rfc2822(carrier.clock.now()) or "",
            SequenceNumber=str(call.status_sequence),
        )
        if event == "initiated":
            params["CallStatus"] = "initiated"
        if event == "completed":
            seconds = call.duration or 0
            params["CallDuration"] = str(seconds)
            params["Duration"] = str(math.ceil(seconds / 60))  # billed minutes
        call.status_sequence += 1
        url, method = call.status_callback, call.status_callback_method
    carrier.callbacks.post(
        call.sid, url, params, method=method, call_sid=call.sid, purpose=f"status-{event}"
    )


def start_leg(
    carrier: Carrier,
    call: Call,
    party: Party,
    program: Program,
    *,
    ring_timeout: float = defaults.OUTBOUND_RING_TIMEOUT,
    amd: Amd | None = None,
) -> None:
    """Run the leg in a new thread; returns at once."""
    thread = threading.Thread(
        target=_run,
        args=(carrier, call, party, program, (ring_timeout, amd)),
        name=f"leg-{call.sid[:12]}",
        daemon=True,
    )
    carrier.track(thread)
    thread.start()


def _run(
    carrier: Carrier, call: Call, party: Party, program: Program, limits: tuple[float, Amd | None]
) -> None:
    ring_timeout, amd = limits
    try:
        if call.direction is Direction.INBOUND:
            _start_party(carrier, call, party)
        else:
            send_status(carrier, call, "initiated")
            failed = _ring(
                carrier, call, party.answer.mode, party.answer.ring_seconds, ring_timeout
            )
            if failed is not None:
                finalize(carrier, call, failed)
                return
            _answer(carrier, call)
            _start_party(carrier, call, party)
            if amd is not None:
                _detect_machine(carrier, call, party.answer.mode, amd)
        program(call)
        interp = Interpreter(carrier, call)
        while (redirect := interp.take_redirect()) is not None:
            interp.run(redirect)
    except Exception as exc:  # a bug in the emulator must not kill the test run silently
        carrier.log.add(
            LogEntry(carrier.clock.now(), "internal-error", call.sid, {"error": repr(exc)})
        )
        raise
    finally:
        finalize(carrier, call)


def _start_party(carrier: Carrier, call: Call, party: Party) -> None:
    line = Line(call, lambda reason: carrier.hang_up(call.sid, reason))
    thread = threading.Thread(
        target=party.run, args=(line,), name=f"party-{call.sid[:12]}", daemon=True
    )
    carrier.track(thread)
    thread.start()


def _ring(
    carrier: Carrier, call: Call, mode: AnswerMode, ring_seconds: float, ring_timeout: float
) -> CallStatus | None:
    """Ring the far end; the final status if it does not answer, None if it does."""
    with call.cond:
        call.status = CallStatus.RINGING
        call.cond.notify_all()
    send_status(carrier, call, "ringing")
    if mode is AnswerMode.FAIL:
        return CallStatus.FAILED
    rings = ring_timeout if mode is AnswerMode.NO_ANSWER else min(ring_seconds, ring_timeout)
    with call.cond:
        if carrier.clock.wait_until(call.cond, lambda: call.hangup_requested is not None, rings):
            return CallStatus.CANCELED
    if mode is AnswerMode.BUSY:
        return CallStatus.BUSY
    if mode is AnswerMode.NO_ANSWER or ring_seconds > ring_timeout:
        return CallStatus.NO_ANSWER
    return None


def _answer(carrier: Carrier, call: Call) -> None:
    with call.cond:
        call.status = CallStatus.IN_PROGRESS
        call.start_time = carrier.clock.now()
        call.start_elapsed = carrier.clock.elapsed()
        call.cond.notify_all()
    send_status(carrier, call, "answered")


def _detect_machine(carrier: Carrier, call: Call, mode: AnswerMode, amd: Amd) -> None:
    if mode is AnswerMode.MACHINE:
        verdict = "machine_start" if amd.mode == "Enable" else "machine_end_beep"
    else:
        verdict = {AnswerMode.HUMAN: "human", AnswerMode.FAX: "fax"}.get(mode, "unknown")
    seconds = defaults.AMD_DETECTION_SECONDS
    if verdict == "machine_end_beep":
        seconds = defaults.MACHINE_GREETING_SECONDS + defaults.BEEP_SECONDS

    def detect() -> bool:
        with call.cond:
            if carrier.clock.wait_until(call.cond, lambda: call.interrupted, seconds):
                return False
            call.answered_by = verdict
            call.record("carrier", "amd", verdict)
            return True

    if not amd.asynchronous:
        detect()  # synchronous AMD: the Url is requested only after the verdict, with AnsweredBy
        return

    def report() -> None:
        if detect() and amd.callback:
            carrier.callbacks.post(
                call.sid,
                amd.callback,
                {
                    "AccountSid": call.account_sid,
                    "CallSid": call.sid,
                    "AnsweredBy": verdict,
                    "MachineDetectionDuration": str(round(seconds * 1000)),
                },
                method=amd.callback_method,
                call_sid=call.sid,
                purpose="amd-status",
            )

    thread = threading.Thread(target=report, name=f"amd-{call.sid[:12]}", daemon=True)
    carrier.track(thread)
    thread.start()


def _final_status(call: Call) -> CallStatus:
    if call.start_time is not None:
        return CallStatus.COMPLETED
    if call.hangup_requested in ("rejected", "rejected-busy"):
        return CallStatus.BUSY
    return CallStatus.CANCELED


def finalize(carrier: Carrier, call: Call, status: CallStatus | None = None) -> None:
    """End the leg once: final status, end time, leave conference/queue, completed callback."""
    with call.cond:
        if call.is_over:
            return
        call.status = status or _final_status(call)
        call.end_time = carrier.clock.now()
        call.end_elapsed = carrier.clock.elapsed()
        call.record("carrier", "hangup", call.hangup_requested or str(call.status))
        in_conference, in_queue = call.conference_sid, call.queue_name
    if in_conference:
        carrier.conferences.leave(call.sid, "hangup")
    if in_queue:
        carrier.queues.remove(call)
    carrier.recordings.stop_all(call.sid)
    if call.record_call and call.start_time is not None:
        carrier.recordings.create(
            call, call.duration or 0, "OutboundAPI", status_callback=call.recording_status_callback
        )
    send_status(carrier, call, "completed")
