"""Each change of a call's live state, pushed to its agent's console as a numbered event.

The console's call bar follows these (ringing, connected, on hold, ended) instead of asking.
"""

from __future__ import annotations

import logging
from typing import Any

import redis

from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.realtime.rooms import agent_room
from contactcentre.voice import call_state as cs

log = logging.getLogger(__name__)
CALL_STATE_EVENT = "call_state"


def call_view(call: cs.LiveCall) -> dict[str, Any]:
    """{status, on_hold, muted, recording, participants, agent_id, version}: the call bar's data.

    status is the call's phase: connecting (the agent's leg rings), connected, transferring (a
    warm transfer's consult), ended; or ivr, queued, callback when no agent has it.
    """
    participants: list[dict[str, Any]] = []
    if call.customer_sid and call.phase in cs.LIVE:
        participants.append(
            {"role": "customer", "call_sid": call.customer_sid, "on_hold": bool(call.on_hold)}
        )
    if call.agent_sid and call.phase in (*cs.LIVE, cs.CONNECTING):
        participants.append(
            {
                "role": "agent",
                "call_sid": call.agent_sid,
                "agent_id": _agent(call.agent_id),
                "muted": bool(call.muted),
            }
        )
    if call.consult_sid:
        participants.append(
            {
                "role": "consult",
                "call_sid": call.consult_sid,
                "agent_id": _agent(call.consult_agent_id),
            }
        )
    return {
        "status": call.phase,
        "on_hold": bool(call.on_hold),
        "muted": bool(call.muted),
        "recording": bool(call.recording_sid),
        "participants": participants,
        "agent_id": _agent(call.agent_id),
        "version": call.version,
    }


def _agent(agent_id: str) -> int | None:
    return int(agent_id) if agent_id.isdigit() else None


class CallStatePush:
    """A CallWatcher: tells the call's agent, and the agent a transfer just took it from, what
    the call is now. Events carry the call's version: a console keeps the highest it has seen."""

    def __init__(self, emitter: RealtimeEmitter) -> None:
        self._emitter = emitter

    def changed(self, call: cs.LiveCall, agent_before: str) -> None:
        agents = [a for a in dict.fromkeys((call.agent_id, agent_before)) if a]
        if not agents:
            return  # in the IVR or the queue: no console shows this call
        data = {
            "interaction_id": call.interaction_id,
            # Clients act on an id once: the same news replayed after a reconnect is ignored.
            "id": f"call:{call.interaction_id}:{call.version}",
            **call_view(call),
        }
        try:
            self._emitter.emit_many([agent_room(a) for a in agents], CALL_STATE_EVENT, data)
        except redis.RedisError as exc:
            # The change itself is stored, and the webhook or action that made it must finish
            # (end the routing task, hang legs up); a console that missed it reloads the state.
            log.warning("call %s state not pushed: %s", call.interaction_id, exc)
