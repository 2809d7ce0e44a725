"""The Telephony port: what the voice channel asks of the phone network, in its own words.

TwilioTelephony implements it with the twilio SDK (against Twilio or the emulator); tests of the
rules may use a fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Leg:
    """A call leg the network created for us."""

    call_sid: str
    conference_sid: str | None = None


@dataclass(frozen=True)
class ConferenceEvents:
    """Where a conference reports joins, leaves, holds and mutes."""

    url: str
    events: tuple[str, ...] = ("start", "end", "join", "leave", "mute", "hold")


class Telephony(Protocol):
    def call(
        self,
        to: str,
        from_: str,
        url: str,
        status_callback: str,
        *,
        machine_detection: str | None = None,
    ) -> Leg:
        """Place an outbound call that runs the TwiML at `url` once answered; with
        `machine_detection` ("Enable" or "DetectMessageEnd") `url` is requested after the
        verdict, with AnsweredBy."""
        ...

    def call_status(self, call_sid: str) -> str:
        """What the network says of a leg now: queued, ringing, in-progress, completed, busy,
        failed, no-answer or canceled (NotOnTheCall when it knows no such leg). How a call
        whose callbacks were lost is reconciled."""
        ...

    def redirect(self, call_sid: str, url: str) -> None:
        """Make a live call continue with the TwiML at `url`."""
        ...

    def hang_up(self, call_sid: str) -> None: ...

    def add_participant(
        self,
        conference: str,
        to: str,
        from_: str,
        *,
        label: str,
        status_callback: str,
        events: ConferenceEvents,
        end_conference_on_exit: bool = False,
        muted: bool = False,
        coach: str | None = None,
    ) -> Leg:
        """Dial `to` into the conference (created if it does not exist yet); `muted` joins
        without being heard, `coach` (a call sid in the room) is the only one who hears it."""
        ...

    def update_participant(
        self,
        conference: str,
        call_sid: str,
        *,
        hold: bool | None = None,
        muted: bool | None = None,
        hold_url: str | None = None,
        coach: str | None = None,
    ) -> None:
        """Change a participant; `coach` = a call sid starts coaching it, "" stops coaching."""
        ...

    def remove_participant(self, conference: str, call_sid: str) -> None: ...

    def announce(self, conference: str, url: str) -> None:
        """Play the TwiML at `url` to everyone in the conference."""
        ...

    def start_recording(self, call_sid: str, status_callback: str) -> str:
        """Start recording the call; returns the recording sid."""
        ...

    def stop_recording(self, call_sid: str, recording_sid: str) -> None: ...


class TelephonyError(RuntimeError):
    """The network refused or failed an action (the call ended, a bad number...); `status` is
    the carrier's HTTP status when it answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotOnTheCall(TelephonyError):
    """The leg or participant the action names is not (or no longer, or not yet) there: the
    carrier's 404, e.g. holding a caller who is still being moved into the conference."""
