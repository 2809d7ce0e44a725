"""Recordings: agent-controlled call recording with a consent announcement first, recording
status callbacks, and voicemails left in the IVR or at a routing exit."""

from __future__ import annotations

import contextlib
import logging

from contactcentre.store.models import Interaction
from contactcentre.telephony.port import TelephonyError
from contactcentre.voice import call_state as cs
from contactcentre.voice.context import VoiceContext
from contactcentre.voice.events import log_call_event
from contactcentre.voice.params import count

log = logging.getLogger(__name__)


class RecordingConflict(RuntimeError):
    """Recording is already in the state asked for, or the call cannot be recorded now."""


def set_recording(ctx: VoiceContext, call: cs.LiveCall, on: bool, actor: str) -> None:
    """Start (after the consent announcement to everyone) or stop recording the customer leg."""
    if call.phase not in (cs.CONNECTED, cs.TRANSFERRING) or not call.customer_sid:
        raise RecordingConflict("only a connected call can be recorded")
    if on == bool(call.recording_sid):
        raise RecordingConflict("recording is already " + ("on" if on else "off"))
    iid, now = call.interaction_id, ctx.clock()
    if on:
        if ctx.settings.voice_recording_consent.strip():
            ctx.telephony.announce(call.conference_ref, ctx.urls.consent())
        sid = ctx.telephony.start_recording(call.customer_sid, ctx.urls.recording_status())
        ctx.calls.update(iid, recording_sid=sid)
        kind, key = "recording_started", f"recording:{sid}:started"
    else:
        sid = call.recording_sid
        ctx.telephony.stop_recording(call.customer_sid, sid)
        ctx.calls.update(iid, recording_sid="")
        kind, key = "recording_stopped", f"recording:{sid}:stopped"
    with ctx.db.session() as session:
        data = {"recording_sid": sid, "consent_announced": bool(on)}
        log_call_event(session, iid, kind, now, key, actor=actor, data=data)


def recording_status(ctx: VoiceContext, params: dict[str, str]) -> None:
    """A finished recording: remembered on the interaction for playback in the console."""
    if params.get("RecordingStatus") != "completed":
        return
    leg = ctx.calls.leg(params.get("CallSid", ""))
    if leg is None:
        log.info("recording %s of an unknown call; ignored", params.get("RecordingSid"))
        return
    with ctx.db.session() as session:
        interaction = session.get(Interaction, leg[0])
        if interaction is None:
            return
        recordings = list(interaction.attributes.get("recordings", []))
        sid = params.get("RecordingSid", "")
        if sid and sid not in [r.get("sid") for r in recordings]:
            recordings.append(
                {
                    "sid": sid,
                    "url": params.get("RecordingUrl"),
                    "duration": params.get("RecordingDuration"),
                }
            )
            interaction.attributes = {**interaction.attributes, "recordings": recordings}


def voicemail_left(ctx: VoiceContext, interaction_id: str, params: dict[str, str]) -> None:
    sid = params.get("RecordingSid", "")
    if not sid:
        return  # the caller hung up before the beep
    duration = params.get("RecordingDuration", "")
    with ctx.db.session() as session:
        interaction = session.get(Interaction, interaction_id)
        if interaction is None:
            log.info("voicemail for unknown interaction %s; ignored", interaction_id)
            return
        interaction.attributes = {
            **interaction.attributes,
            "voicemail": {"sid": sid, "url": params.get("RecordingUrl"), "duration": duration},
        }
        log_call_event(
            session,
            interaction_id,
            "voicemail",
            ctx.clock(),
            f"voicemail:{sid}",
            data={
                "recording_sid": sid,
                "duration_seconds": count(params, "RecordingDuration"),
            },
        )


def stop_quietly(ctx: VoiceContext, call: cs.LiveCall) -> None:
    if call.recording_sid:
        with contextlib.suppress(TelephonyError):
            ctx.telephony.stop_recording(call.customer_sid, call.recording_sid)
