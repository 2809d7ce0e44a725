"""Recordings made by <Record> and <Dial record>: Twilio's Recording resource and its media.

The media is a valid WAV file of silence as long as the recording, served by the REST app, so an
app that downloads `RecordingUrl` gets real bytes.
"""

from __future__ import annotations

import io
import threading
import wave
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from . import defaults, sids
from .call import Call
from .clock import rfc2822

if TYPE_CHECKING:
    from .carrier import Carrier

_SAMPLE_RATE = 8000
_MAX_MEDIA_SECONDS = 60  # media is silence; cap its size so long recordings stay cheap to serve


@dataclass
class Recording:
    sid: str
    account_sid: str
    call_sid: str
    conference_sid: str | None
    duration: int
    source: str  # RecordVerb, DialVerb, OutboundAPI, Conference
    start_time: datetime
    text: str  # what the party said while recording (the emulator's stand-in for audio)
    media_url: str
    status: str = "completed"
    channels: int = 1

    @property
    def uri(self) -> str:
        return f"/{defaults.API_VERSION}/Accounts/{self.account_sid}/Recordings/{self.sid}.json"

    def wav(self) -> bytes:
        """The recording's audio: silence of the recording's length, 8 kHz mono 16-bit."""
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(_SAMPLE_RATE)
            out.writeframes(b"\x00\x00" * _SAMPLE_RATE * min(self.duration, _MAX_MEDIA_SECONDS))
        return buffer.getvalue()


class RecordingBook:
    """All recordings of the emulated account, by sid."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier
        self._lock = threading.Lock()
        self._by_sid: dict[str, Recording] = {}
        self._live: dict[str, tuple[float, str | None, str]] = {}

    def get(self, sid: str) -> Recording | None:
        with self._lock:
            return self._by_sid.get(sid)

    def all(self) -> list[Recording]:
        with self._lock:
            return list(self._by_sid.values())

    def create(
        self,
        call: Call,
        duration: int,
        source: str,
        *,
        text: str = "",
        status_callback: str | None = None,
        status_callback_method: str = "POST",
    ) -> Recording:
        """Store a finished recording and send its recordingStatusCallback (if any)."""
        sid = sids.new_sid(sids.RECORDING)
        carrier = self.carrier
        recording = Recording(
            sid=sid,
            account_sid=call.account_sid,
            call_sid=call.sid,
            conference_sid=call.conference_sid,
            duration=duration,
            source=source,
            start_time=carrier.clock.now(),
            text=text,
            media_url=(
                f"{carrier.media_base_url}/{defaults.API_VERSION}/Accounts/{call.account_sid}"
                f"/Recordings/{sid}"
            ),
        )
        with self._lock:
            self._by_sid[sid] = recording
        if status_callback:
            carrier.callbacks.post(
                call.sid,
                status_callback,
                {
                    "AccountSid": call.account_sid,
                    "CallSid": call.sid,
                    "RecordingSid": sid,
                    "RecordingUrl": recording.media_url,
                    "RecordingStatus": "completed",
                    "RecordingDuration": str(duration),
                    "RecordingChannels": str(recording.channels),
                    "RecordingStartTime": rfc2822(recording.start_time) or "",
                    "RecordingSource": source,
                    "RecordingTrack": "both",
                },
                method=status_callback_method,
                call_sid=call.sid,
                purpose="recording-status",
            )
        return recording

    # -- call recordings controlled over REST (Calls/{sid}/Recordings) -------------------
    def start(self, call: Call, status_callback: str | None, method: str = "POST") -> Recording:
        """Start recording a live call; completed (and called back) by `stop` or the hang-up."""
        carrier = self.carrier
        sid = sids.new_sid(sids.RECORDING)
        recording = Recording(
            sid=sid,
            account_sid=call.account_sid,
            call_sid=call.sid,
            conference_sid=call.conference_sid,
            duration=-1,
            source="StartCallRecordingAPI",
            start_time=carrier.clock.now(),
            text="",
            media_url=(
                f"{carrier.media_base_url}/{defaults.API_VERSION}/Accounts/{call.account_sid}"
                f"/Recordings/{sid}"
            ),
            status="in-progress",
        )
        with self._lock:
            self._by_sid[sid] = recording
            self._live[sid] = (carrier.clock.elapsed(), status_callback, method)
        return recording

    def stop(self, sid: str) -> Recording | None:
        """Finish a live call recording and send its `completed` status callback."""
        with self._lock:
            recording = self._by_sid.get(sid)
            live = self._live.pop(sid, None)
        if recording is None or live is None:
            return recording
        began, callback, method = live
        recording.duration = round(self.carrier.clock.elapsed() - began)
        recording.status = "completed"
        if callback:
            self.carrier.callbacks.post(
                recording.call_sid,
                callback,
                {
                    "AccountSid": recording.account_sid,
                    "CallSid": recording.call_sid,
                    "RecordingSid": sid,
                    "RecordingUrl": recording.media_url,
                    "RecordingStatus": "completed",
                    "RecordingDuration": str(recording.duration),
                    "RecordingChannels": str(recording.channels),
                    "RecordingStartTime": rfc2822(recording.start_time) or "",
                    "RecordingSource": recording.source,
                    "RecordingTrack": "both",
                },
                method=method,
                call_sid=recording.call_sid,
                purpose="recording-status",
            )
        return recording

    def stop_all(self, call_sid: str) -> None:
        """A call that ends stops its recordings (Twilio completes them at hang-up)."""
        with self._lock:
            live = [sid for sid in self._live if self._by_sid[sid].call_sid == call_sid]
        for sid in live:
            self.stop(sid)
