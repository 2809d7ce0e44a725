"""Sending numbered events to rooms from any process, through the Socket.IO Redis message queue.

The router's notifier, web requests, the dialer and workers all emit through this one class.
"""

from __future__ import annotations

import logging
from typing import Any

import redis

from contactcentre.realtime.rooms import namespace_of
from contactcentre.realtime.sequence import SequencedLog

log = logging.getLogger(__name__)


class RealtimeEmitter:
    """Numbers each event per room, logs it for replay, then publishes it to the web processes."""

    def __init__(self, client: redis.Redis, redis_url: str, channel: str) -> None:
        from flask_socketio import SocketIO

        self.log = SequencedLog(client)
        # No app: a write-only client manager that only publishes to the message queue.
        self._socketio = SocketIO(message_queue=redis_url, channel=channel)

    def emit(self, room: str, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Deliver `event` to everyone in `room`; returns the envelope that was sent."""
        numbered = self.log.append(room, event, data)
        self._socketio.emit(event, numbered, to=room, namespace=namespace_of(room))
        return numbered

    def emit_many(self, rooms: list[str], event: str, data: dict[str, Any]) -> None:
        for room in dict.fromkeys(rooms):  # each room once, in order
            self.emit(room, event, data)


def emitter_for(runtime: Any) -> RealtimeEmitter:
    """The emitter of a Runtime (web, router, worker), created once and kept on it."""
    found: RealtimeEmitter | None = getattr(runtime, "_realtime_emitter", None)
    if found is None:
        found = RealtimeEmitter(runtime.redis, runtime.redis_url, runtime.settings.socketio_channel)
        runtime._realtime_emitter = found
    return found
