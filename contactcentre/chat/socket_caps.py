"""How many /chat sockets each conversation and each client address hold, on every web process,
counted in Redis: a connect past either cap is refused, so one page or one address cannot open
sockets without end.

Each web process vouches for its sockets with the chat presence refresh; a killed process's
sockets fall out of the count once nobody has vouched for them for `ttl` seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import redis

PREFIX = "cc:chat:sockets:"
CONVERSATION = PREFIX + "conversation:"  # + conversation id -> zset {sid: last vouched for}
ADDRESS = PREFIX + "address:"  # + client address -> zset {sid: last vouched for}

# KEYS: the conversation's and the address's sets; ARGV: sid, now, cutoff, the two caps, ttl.
# Prune, count and add in one step, so two sockets connecting at once cannot both take the
# last place.
_ADMIT = """
for i = 1, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[3]) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 'conversation' end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 'address' end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1])
  redis.call('EXPIRE', KEYS[i], ARGV[6])
end
return false
"""


@dataclass(frozen=True)
class SocketCaps:
    per_conversation: int
    per_address: int

    def __post_init__(self) -> None:
        if self.per_conversation < 1 or self.per_address < 1:
            raise ValueError("each cap must allow at least one socket")


@dataclass(frozen=True)
class CustomerSocket:
    sid: str
    conversation_id: str
    address: str


class ChatSocketCounts:
    def __init__(self, client: redis.Redis, caps: SocketCaps, ttl: float) -> None:
        self._redis = client
        self._caps = caps
        self._ttl = ttl
        self._admit = client.register_script(_ADMIT)

    @property
    def caps(self) -> SocketCaps:
        return self._caps

    def admit(self, socket: CustomerSocket, now: float) -> str | None:
        """Count the socket in; or, leaving it out, which cap it would pass: "conversation"
        or "address"."""
        full: Any = self._admit(
            keys=[CONVERSATION + socket.conversation_id, ADDRESS + socket.address],
            args=[
                socket.sid,
                now,
                now - self._ttl,
                self._caps.per_conversation,
                self._caps.per_address,
                self._expiry(),
            ],
        )
        return str(full) if full else None

    def release(self, socket: CustomerSocket) -> None:
        pipe = self._redis.pipeline(transaction=False)
        pipe.zrem(CONVERSATION + socket.conversation_id, socket.sid)
        pipe.zrem(ADDRESS + socket.address, socket.sid)
        pipe.execute()

    def refresh(self, sockets: Iterable[CustomerSocket], now: float) -> None:
        """This process still holds these sockets."""
        pipe = self._redis.pipeline(transaction=False)
        queued = False
        for socket in sockets:
            for key in (CONVERSATION + socket.conversation_id, ADDRESS + socket.address):
                pipe.zadd(key, {socket.sid: now}, xx=True)  # never brings back a released one
                pipe.expire(key, self._expiry())
                queued = True
        if queued:
            pipe.execute()

    def _expiry(self) -> int:
        return max(1, int(self._ttl) + 1)


def client_address(environ: Mapping[str, Any], behind_proxy: bool) -> str:
    """The socket's client address. The Socket.IO handshake reaches Engine.IO before the app's
    ProxyFix, so behind the proxy the address is read here as ProxyFix reads it for pages: the
    last X-Forwarded-For entry, the one the single trusted proxy added."""
    if behind_proxy:
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    return str(environ.get("REMOTE_ADDR") or "unknown")[:64]
