"""Conference rooms: participants with mute/hold/coach flags, who-hears-whom, status callbacks.

Rooms are keyed by FriendlyName while active; events (conference-start, participant-join/leave,
-mute/-unmute, -hold/-unhold, -modify, conference-end) go to the room's statusCallback.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from . import sids
from .clock import rfc2822
from .params import flag

if TYPE_CHECKING:
    from .carrier import Carrier

# TwiML's short statusCallbackEvent names and the events each one subscribes to.
EVENT_GROUPS = {
    "start": ("conference-start",),
    "end": ("conference-end",),
    "join": ("participant-join",),
    "leave": ("participant-leave",),
    "mute": ("participant-mute", "participant-unmute"),
    "hold": ("participant-hold", "participant-unhold"),
    "modify": ("participant-modify",),
    "announcement": ("announcement-end",),
}
DEFAULT_EVENTS = frozenset({"start", "end"})


@dataclass
class Participant:
    call_sid: str
    conference_sid: str
    label: str | None = None
    muted: bool = False
    hold: bool = False
    coaching: bool = False
    call_sid_to_coach: str | None = None
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    beep: str = "true"
    status: str = "queued"  # queued -> connected -> complete (Twilio's participant statuses)
    hold_url: str | None = None
    hold_method: str = "GET"
    wait_url: str | None = None
    wait_method: str = "POST"
    announcements: deque[tuple[str, str]] = field(default_factory=deque)
    date_created: datetime | None = None
    date_updated: datetime | None = None

    @property
    def joined(self) -> bool:
        return self.status == "connected"


@dataclass
class Conference:
    sid: str
    friendly_name: str
    account_sid: str
    date_created: datetime
    date_updated: datetime
    status: str = "init"  # init -> in-progress -> completed
    participants: dict[str, Participant] = field(default_factory=dict)
    status_callback: str | None = None
    status_callback_method: str = "POST"
    events: frozenset[str] = DEFAULT_EVENTS
    sequence: int = 0
    reason_ended: str | None = None
    call_sid_ending: str | None = None
    ending: bool = False  # set while end() removes everyone, so leave() does not end it again

    @property
    def started(self) -> bool:
        return self.status == "in-progress"

    def joined(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.joined]

    def audio_of(self, call_sid: str) -> str:
        """What a participant hears: "hold-music", "wait-music" or "conference"."""
        p = self.participants.get(call_sid)
        if p is None or not p.joined:
            return "none"
        if p.hold:
            return "hold-music"
        return "conference" if self.started else "wait-music"

    def hears(self, listener: str, speaker: str) -> bool:
        """Whether `listener` hears `speaker`: both in the mixed audio, speaker not muted, and a
        coach is heard only by the participant being coached."""
        a, b = self.participants.get(listener), self.participants.get(speaker)
        if a is None or b is None or a is b or not (a.joined and b.joined) or not self.started:
            return False
        if a.hold or b.hold or b.muted:
            return False
        return not b.coaching or b.call_sid_to_coach == listener

    def audible_to(self, listener: str) -> set[str]:
        return {sid for sid in self.participants if self.hears(listener, sid)}


class ConferenceBook:
    """All conferences of the account; guarded by the carrier's condition."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier
        self.by_sid: dict[str, Conference] = {}

    def get(self, sid_or_name: str) -> Conference | None:
        with self.carrier.cond:
            if sid_or_name in self.by_sid:
                return self.by_sid[sid_or_name]
            return self.active(sid_or_name)

    def active(self, name: str) -> Conference | None:
        with self.carrier.cond:
            return next(
                (
                    c
                    for c in self.by_sid.values()
                    if c.friendly_name == name and c.status != "completed"
                ),
                None,
            )

    def list(self) -> list[Conference]:
        with self.carrier.cond:
            return sorted(self.by_sid.values(), key=lambda c: c.date_created, reverse=True)

    def open(self, name: str) -> Conference:
        """The active conference called `name`, created (status init) if there is none."""
        with self.carrier.cond:
            conference = self.active(name)
            if conference is None:
                now = self.carrier.clock.now()
                conference = Conference(
                    sids.new_sid(sids.CONFERENCE), name, self.carrier.account_sid, now, now
                )
                self.by_sid[conference.sid] = conference
            return conference

    def subscribe(
        self, conference: Conference, url: str | None, method: str, events: frozenset[str]
    ) -> None:
        # The first participant that names a statusCallback sets it for the whole conference.
        with self.carrier.cond:
            if url and conference.status_callback is None:
                conference.status_callback = url
                conference.status_callback_method = method.upper()
                conference.events = events or DEFAULT_EVENTS

    def add(self, conference: Conference, participant: Participant) -> None:
        """Register a participant whose call is still connecting (status queued)."""
        with self.carrier.cond:
            now = self.carrier.clock.now()
            participant.date_created = participant.date_updated = now
            conference.participants[participant.call_sid] = participant
            self.carrier.calls[participant.call_sid].conference_sid = conference.sid
            self.carrier.cond.notify_all()

    def connect(self, conference: Conference, participant: Participant) -> None:
        """The participant's audio joins the room; may start the conference."""
        with self.carrier.cond:
            participant.status = "connected"
            participant.date_updated = self.carrier.clock.now()
            self.emit(conference, "participant-join", participant)
            if participant.start_conference_on_enter and conference.status == "init":
                conference.status = "in-progress"
                conference.date_updated = participant.date_updated
                self.emit(conference, "conference-start")
            self._mark_connected(conference)
            self.carrier.cond.notify_all()

    def _mark_connected(self, conference: Conference) -> None:
        joined = conference.joined()
        if conference.started and len(joined) >= 2:
            for p in joined:
                self.carrier.calls[p.call_sid].ever_connected = True

    def leave(self, call_sid: str, reason: str = "hangup") -> None:
        """Remove a participant (hang-up, redirect or kick); may end the conference."""
        with self.carrier.cond:
            call = self.carrier.calls.get(call_sid)
            conference = self.by_sid.get(call.conference_sid or "") if call else None
            if call is None or conference is None:
                return
            call.conference_sid = None
            participant = conference.participants.pop(call_sid, None)
            if participant is None or conference.status == "completed":
                return
            was_joined = participant.joined
            participant.status = "complete"
            self.emit(
                conference,
                "participant-leave",
                participant,
                {
                    "ReasonParticipantLeft": _LEAVE_REASONS.get(reason, reason),
                    "ParticipantCallStatus": str(call.status),
                },
            )
            kicked = reason == "kicked"
            if conference.ending:
                pass
            elif was_joined and participant.end_conference_on_exit:
                suffix = "kicked" if kicked else "left"
                self.end(conference, f"participant-with-end-conference-on-exit-{suffix}", call_sid)
            elif not conference.participants:
                self.end(
                    conference,
                    "last-participant-kicked" if kicked else "last-participant-left",
                    call_sid,
                )
            self.carrier.cond.notify_all()

    def end(self, conference: Conference, reason: str, call_sid: str | None = None) -> None:
        """Complete the conference; everyone still in it continues with their next TwiML."""
        with self.carrier.cond:
            if conference.status == "completed" or conference.ending:
                return
            conference.ending = True
            for sid in list(conference.participants):
                self.leave(sid, "conference-ended")
            was_started = conference.started
            conference.status = "completed"
            conference.reason_ended, conference.call_sid_ending = reason, call_sid
            conference.date_updated = self.carrier.clock.now()
            if was_started:
                extra = {"ReasonConferenceEnded": reason}
                if call_sid:
                    extra["CallSidEndingConference"] = call_sid
                self.emit(conference, "conference-end", extra=extra)
            self.carrier.cond.notify_all()

    def update(
        self,
        conference: Conference,
        participant: Participant,
        *,
        muted: bool | None = None,
        hold: bool | None = None,
        hold_url: str | None = None,
        hold_method: str | None = None,
        coaching: bool | None = None,
        call_sid_to_coach: str | None = None,
        announce_url: str | None = None,
        announce_method: str = "POST",
    ) -> None:
        """REST participant update: each change of state emits its event."""
        with self.carrier.cond:
            if hold_url is not None:
                participant.hold_url = hold_url or None
            if hold_method:
                participant.hold_method = hold_method.upper()
            if muted is not None and muted != participant.muted:
                participant.muted = muted
                self.emit(
                    conference, "participant-mute" if muted else "participant-unmute", participant
                )
            if hold is not None and hold != participant.hold:
                participant.hold = hold
                self.emit(
                    conference, "participant-hold" if hold else "participant-unhold", participant
                )
            if coaching is not None or call_sid_to_coach is not None:
                participant.call_sid_to_coach = call_sid_to_coach or participant.call_sid_to_coach
                participant.coaching = coaching if coaching is not None else True
                if not participant.coaching:
                    participant.call_sid_to_coach = None
                self.emit(conference, "participant-modify", participant)
            if announce_url:
                participant.announcements.append((announce_url, announce_method.upper()))
            participant.date_updated = self.carrier.clock.now()
            self.carrier.cond.notify_all()

    def emit(
        self,
        conference: Conference,
        event: str,
        participant: Participant | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        """Queue a conference status callback if the room subscribed to this event."""
        with self.carrier.cond:
            wanted = {e for group in conference.events for e in EVENT_GROUPS.get(group, ())}
            if conference.status_callback is None or event not in wanted:
                return
            conference.sequence += 1
            params = {
                "AccountSid": conference.account_sid,
                "ConferenceSid": conference.sid,
                "FriendlyName": conference.friendly_name,
                "StatusCallbackEvent": event,
                "Timestamp": rfc2822(self.carrier.clock.now()) or "",
                "SequenceNumber": str(conference.sequence),
            }
            if participant is not None:
                params.update(
                    CallSid=participant.call_sid,
                    Muted=flag(participant.muted),
                    Hold=flag(participant.hold),
                    Coaching=flag(participant.coaching),
                    EndConferenceOnExit=flag(participant.end_conference_on_exit),
                    StartConferenceOnEnter=flag(participant.start_conference_on_enter),
                )
                if participant.call_sid_to_coach:
                    params["CallSidToCoach"] = participant.call_sid_to_coach
                if participant.label:
                    params["ParticipantLabel"] = participant.label
            params.update(extra or {})
            url, method = conference.status_callback, conference.status_callback_method
        self.carrier.callbacks.post(
            conference.sid,
            url,
            params,
            method=method,
            call_sid=participant.call_sid if participant else None,
            purpose="conference-status",
        )


_LEAVE_REASONS = {
    "hangup": "participant_hung_up",
    "kicked": "participant_kicked",
    "redirect": "participant_updated_via_api",
    "conference-ended": "conference_ended",
}
