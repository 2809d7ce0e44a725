"""Per-room sequence numbers and a capped log of each room's events, kept in Redis.

A client that reconnects says the last number it saw and is sent what it missed from the log.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from contactcentre.realtime.rooms import (
    INTERACTION_LOG_TTL_SECONDS,
    LOG,
    LOG_MAXLEN,
    SEQ,
)

# Number, log and publish in one script: two producers (router, web) never interleave a room's
# numbers, a published event is always in the log first, and the stream id "<seq>-1" lets a
# replay start exactly after the client's last number. ARGV[4..6]: channel, message prefix and
# suffix around the envelope (empty channel = log only).
_APPEND = """
local seq = redis.call('INCR', KEYS[1])
local envelope = string.gsub(ARGV[1], '"seq":0', '"seq":' .. seq, 1)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], seq .. '-1', 'e', envelope)
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
if ARGV[4] ~= '' then
  redis.call('PUBLISH', ARGV[4], ARGV[5] .. envelope .. ARGV[6])
end
return {seq, envelope}
"""


def envelope(room: str, event: str, data: dict[str, Any]) -> dict[str, Any]:
    """What every client receives: the room's sequence number, the room and the event's data."""
    return {"seq": 0, "room": room, "event": event, "data": data}


def append_args(room: str, event: str, data: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Keys and the first three arguments of the append script for one event."""
    # "seq":0 comes first in the JSON, so the script's one substitution hits only it.
    raw = json.dumps(envelope(room, event, data), separators=(",", ":"), default=str)
    ttl = INTERACTION_LOG_TTL_SECONDS if room.startswith(("interaction:", "chat:")) else 0
    return [SEQ + room, LOG + room], [raw, LOG_MAXLEN, ttl]


class SequencedLog:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self.script = client.register_script(_APPEND)

    def append(self, room: str, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Number the event for its room and keep it for replay; returns the numbered envelope."""
        keys, args = append_args(room, event, data)
        _seq, stored = self.script(keys=keys, args=[*args, "", "", ""])
        result: dict[str, Any] = json.loads(stored)
        return result

    def current(self, room: str) -> int:
        """The room's last sequence number (0 before its first event)."""
        value: Any = self._redis.get(SEQ + room)
        return int(value or 0)

    def since(self, room: str, last_seq: int) -> tuple[list[dict[str, Any]], bool]:
        """Events after last_seq, oldest first, and whether the log still reached back that far.

        False means some events were trimmed away: the client must reload its state instead.
        """
        entries: Any = self._redis.xrange(LOG + room, min=f"({max(last_seq, 0)}-1", max="+")
        events = [json.loads(fields["e"]) for _id, fields in entries]
        if not events:
            return [], True
        complete = events[0]["seq"] <= last_seq + 1
        return events, complete
