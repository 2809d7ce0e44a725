"""Every URL Twilio is told to call back, built from the public base URL in one place.

Twilio signs the exact URL it requests, so these must be what the webhook views are mounted at.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

PREFIX = "/twilio"


@dataclass(frozen=True)
class VoiceUrls:
    base: str

    def _url(self, path: str) -> str:
        return self.base.rstrip("/") + PREFIX + path

    def voice(self) -> str:
        return self._url("/voice")

    def ivr_answer(self, call_sid: str, node: str, step: int) -> str:
        # The step makes each question's answer URL unique, so a retry is recognisable.
        return self._url(f"/ivr/{quote(node, safe='')}?call={call_sid}&step={step}")

    def ivr_recording(self, interaction_id: str) -> str:
        return self._url(f"/calls/{interaction_id}/voicemail")

    def ivr_transfer_done(self, interaction_id: str) -> str:
        return self._url(f"/calls/{interaction_id}/transfer-done")

    def queue_wait(self, interaction_id: str) -> str:
        return self._url(f"/calls/{interaction_id}/queue")

    def queue_key(self, interaction_id: str) -> str:
        return self._url(f"/calls/{interaction_id}/queue-key")

    def queue_exit(self, interaction_id: str, kind: str) -> str:
        return self._url(f"/calls/{interaction_id}/exit/{kind}")

    def conference_join(self, interaction_id: str) -> str:
        return self._url(f"/calls/{interaction_id}/join")

    def customer_leg(self, interaction_id: str) -> str:
        return self._url(f"/calls/{interaction_id}/customer-leg")

    def agent_leg(self, interaction_id: str) -> str:
        return self._url(f"/calls/{interaction_id}/agent-leg")

    def status(self, **leg: str) -> str:
        """`leg` (interaction, role) names the leg in its own callbacks: one the carrier made
        while we died before learning its CallSid is still recognised (agent_legs.adopt)."""
        return self._url("/status" + (f"?{urlencode(sorted(leg.items()))}" if leg else ""))

    def conference_events(self) -> str:
        return self._url("/conference-events")

    def recording_status(self) -> str:
        return self._url("/recording-status")

    def amd(self) -> str:
        return self._url("/amd")

    def hold_music(self) -> str:
        return self._url("/hold-music")

    def consent(self) -> str:
        return self._url("/consent")
