"""Sending numbered events to rooms from any process, through the Socket.IO Redis message queue.

The router's notifier, web requests, the dialer and workers all emit through this one class.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import redis
from redis.exceptions import NoScriptError

from contactcentre.realtime.rooms import namespace_of
from contactcentre.realtime.sequence import SequencedLog, append_args

Outgoing = tuple[str, str, dict[str, Any]]  # (room, event, data)


class RealtimeEmitter:
    """Numbers each event per room, logs it for replay and publishes it to the web processes.

    Publishes python-socketio's own message-queue message (what `SocketIO.emit` would send
    through its RedisManager), from inside the numbering script: a batch of events costs one
    Redis round trip, which keeps offers fast when the router decides many things at once.
    """

    def __init__(self, client: redis.Redis, redis_url: str, channel: str) -> None:
        self.log = SequencedLog(client)
        self._redis = client
        self._channel = channel
        self._host_id = uuid.uuid4().hex  # web processes skip only their own host id
        self.redis_url = redis_url
        self._loaded = False

    def emit(self, room: str, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Deliver `event` to everyone in `room`; returns the envelope that was sent."""
        return self.emit_batch([(room, event, data)])[0]

    def emit_many(self, rooms: list[str], event: str, data: dict[str, Any]) -> None:
        self.emit_batch([(room, event, data) for room in dict.fromkeys(rooms)])

    def emit_batch(self, outgoing: list[Outgoing], pipe: Any = None) -> list[dict[str, Any]]:
        """Number, log and publish several events in order, in one pipeline.

        `pipe`: a pipeline already holding writes that must happen first (same round trip).
        """
        pipe = pipe if pipe is not None else self._redis.pipeline(transaction=False)
        before = len(pipe)
        if outgoing and not self._loaded:
            self._redis.script_load(self.log.script.script)
            self._loaded = True
        calls = []
        for room, event, data in outgoing:
            keys, args = append_args(room, event, data)
            prefix, suffix = self._message(room, event)
            calls.append((len(keys), *keys, *args, self._channel, prefix, suffix))
        # EVALSHA, not the Script object: a pipeline holding Script calls asks the server
        # SCRIPT EXISTS first, one more round trip on every offer.
        sha = self.log.script.sha
        for call in calls:
            pipe.evalsha(sha, *call)
        if not len(pipe):
            return []
        replies = pipe.execute(raise_on_error=False)
        if any(isinstance(r, NoScriptError) for r in replies[before:]):
            # The server lost its scripts (restart, SCRIPT FLUSH): none of these ran.
            self._redis.script_load(self.log.script.script)
            again = self._redis.pipeline(transaction=False)
            for call in calls:
                again.evalsha(sha, *call)
            replies = [*replies[:before], *again.execute()]
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return [json.loads(stored) for _seq, stored in replies[before:]]

    def _message(self, room: str, event: str) -> tuple[str, str]:
        """The manager message around the envelope: {"method": "emit", ..., "data": [<env>]}."""
        head = {
            "method": "emit",
            "event": event,
            "binary": False,
            "namespace": namespace_of(room),
            "room": room,
            "skip_sid": None,
            "callback": None,
            "host_id": self._host_id,
        }
        return json.dumps(head, separators=(",", ":"))[:-1] + ',"data":[', "]}"


def emitter_for(runtime: Any) -> RealtimeEmitter:
    """The emitter of a Runtime (web, router, worker), created once and kept on it."""
    found: RealtimeEmitter | None = getattr(runtime, "_realtime_emitter", None)
    if found is None:
        found = RealtimeEmitter(runtime.redis, runtime.redis_url, runtime.settings.socketio_channel)
        runtime._realtime_emitter = found
    return found
