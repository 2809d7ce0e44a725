"""A call leg as the carrier sees it: Twilio's Call resource state plus what was heard on the line.

All fields are guarded by the carrier's condition variable; every change notifies it, which is
what lets tests and scripted parties wait for outcomes instead of sleeping.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .clock import Clock
from .exceptions import WaitTimeout


class CallStatus(StrEnum):
    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"


TERMINAL = frozenset(
    {
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.FAILED,
        CallStatus.CANCELED,
    }
)


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND_API = "outbound-api"
    OUTBOUND_DIAL = "outbound-dial"


@dataclass(frozen=True)
class TranscriptEntry:
    """One thing that happened on the line, timed in emulated seconds since the call was created."""

    elapsed: float
    at: datetime
    speaker: str  # "app" (TwiML), "party" (the scripted far end) or "carrier" (tones, errors)
    kind: str  # say, play, pause, beep, hold-music, wait-music, digits, speech, error, ...
    text: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PartyInput:
    """Keys pressed or words spoken by the far end, waiting to be consumed by a <Gather>."""

    digits: str = ""
    speech: str = ""
    confidence: float = 0.0
    seconds: float = 0.0  # how long the party talked (matters to <Record>)


@dataclass(frozen=True)
class Redirect:
    """A pending change of the TwiML a live call runs (REST update, <Redirect>, conference exit)."""

    url: str | None = None
    method: str = "POST"
    twiml: str | None = None


@dataclass
class Call:
    """A Twilio call leg; `wait_for_status` and `wait_for` are how tests observe it."""

    sid: str
    account_sid: str
    from_: str
    to: str
    direction: Direction
    created_at: datetime
    created_elapsed: float
    cond: threading.Condition = field(repr=False)
    clock: Clock = field(repr=False)
    parent_call_sid: str | None = None
    status: CallStatus = CallStatus.QUEUED
    start_time: datetime | None = None
    start_elapsed: float | None = None
    end_time: datetime | None = None
    end_elapsed: float | None = None
    answered_by: str | None = None
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: frozenset[str] = frozenset({"completed"})
    caller_name: str | None = None
    queue_time: int = 0
    transcript: list[TranscriptEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Control state, changed by parties, the REST API and other legs.
    hangup_requested: str | None = None
    redirect: Redirect | None = None
    inputs: deque[PartyInput] = field(default_factory=deque)
    gathering: frozenset[str] = frozenset()
    recording: bool = False
    bridged_to: str | None = None
    conference_sid: str | None = None
    queue_name: str | None = None
    ever_connected: bool = False
    ringing_legs: frozenset[str] = frozenset()  # Dial children that may still win the bridge
    record_call: bool = False
    recording_status_callback: str | None = None
    status_sequence: int = 0
    date_updated: datetime | None = None

    @property
    def duration(self) -> int | None:
        """Seconds from answer to end (Twilio's `duration`), None while the call is live."""
        if self.end_elapsed is None:
            return None
        if self.start_elapsed is None:
            return 0
        return round(self.end_elapsed - self.start_elapsed)

    @property
    def is_over(self) -> bool:
        return self.status in TERMINAL

    @property
    def interrupted(self) -> bool:
        """True when whatever the call is doing must stop: a hang-up or a redirect is pending."""
        return self.hangup_requested is not None or self.redirect is not None or self.is_over

    def record(self, speaker: str, kind: str, text: str = "", **attrs: str) -> None:
        """Append to the transcript; caller must hold `cond`."""
        self.transcript.append(
            TranscriptEntry(
                elapsed=self.clock.elapsed() - self.created_elapsed,
                at=self.clock.now(),
                speaker=speaker,
                kind=kind,
                text=text,
                attrs=dict(attrs),
            )
        )
        self.cond.notify_all()

    def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 5.0) -> None:
        """Block until predicate(call) holds; raises WaitTimeout after `timeout` real seconds."""
        with self.cond:
            if not self.cond.wait_for(lambda: predicate(self), timeout=timeout):
                raise WaitTimeout(
                    f"call {self.sid} did not reach the expected state: {self.summary()}"
                )

    def wait_for_status(self, *statuses: str, timeout: float = 5.0) -> CallStatus:
        """Block until the call's status is one of `statuses` and return it."""
        wanted = {CallStatus(s) for s in statuses}
        self.wait_for(lambda c: c.status in wanted, timeout=timeout)
        return self.status

    def wait_until_over(self, timeout: float = 5.0) -> CallStatus:
        """Block until the call reaches a final status and return it."""
        self.wait_for(lambda c: c.is_over, timeout=timeout)
        return self.status

    def said(self) -> list[str]:
        """Texts the app spoke to this leg with <Say>, in order."""
        with self.cond:
            return [e.text for e in self.transcript if e.kind == "say" and e.speaker == "app"]

    def heard(self, fragment: str) -> bool:
        """Whether any <Say> so far contained `fragment` (case-insensitive)."""
        needle = fragment.lower()
        return any(needle in text.lower() for text in self.said())

    def kinds(self) -> list[str]:
        """Transcript entry kinds in order, e.g. ["say", "beep", "hold-music"]."""
        with self.cond:
            return [e.kind for e in self.transcript]

    def summary(self) -> str:
        last = [f"{e.kind}:{e.text[:40]}" for e in self.transcript[-5:]]
        return (
            f"status={self.status} direction={self.direction} conference={self.conference_sid} "
            f"queue={self.queue_name} errors={self.errors} last={last}"
        )
