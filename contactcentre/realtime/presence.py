"""Which agents have a live console connection, across every web process, kept in Redis.

Web processes record connects, disconnects and a periodic refresh; the sweeper reads it.
"""

from __future__ import annotations

from typing import Any

import redis

from contactcentre.realtime.rooms import KEY_PREFIX

CONNECTIONS = KEY_PREFIX + "presence:"  # + agent id -> zset {socket id: last seen}
SEEN = KEY_PREFIX + "seen"  # zset {agent id: last time it had (or lost) a connection}


class Presence:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def connected(self, agent_id: str, sid: str, now: float) -> None:
        pipe = self._redis.pipeline(transaction=False)
        pipe.zadd(CONNECTIONS + agent_id, {sid: now})
        pipe.zadd(SEEN, {agent_id: now})
        pipe.execute()

    def disconnected(self, agent_id: str, sid: str, now: float) -> None:
        pipe = self._redis.pipeline(transaction=False)
        pipe.zrem(CONNECTIONS + agent_id, sid)
        pipe.zadd(SEEN, {agent_id: now})  # the grace period counts from here
        pipe.execute()

    def refresh(self, sockets: dict[str, str], now: float) -> None:
        """A web process vouches for its live sockets ({sid: agent id}) every few seconds."""
        if not sockets:
            return
        pipe = self._redis.pipeline(transaction=False)
        for sid, agent_id in sockets.items():
            pipe.zadd(CONNECTIONS + agent_id, {sid: now})
        pipe.zadd(SEEN, dict.fromkeys(set(sockets.values()), now))
        pipe.execute()

    def overdue(self, now: float, grace: float) -> list[str]:
        """Agents not vouched for by any web process for longer than the grace period."""
        found: Any = self._redis.zrangebyscore(SEEN, "-inf", now - grace)
        return [str(agent_id) for agent_id in found]

    def live_connections(self, agent_id: str, now: float, grace: float) -> int:
        """Sockets refreshed within the grace period (a dead web process stops refreshing)."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.zremrangebyscore(CONNECTIONS + agent_id, "-inf", now - grace)
        pipe.zcard(CONNECTIONS + agent_id)
        return int(pipe.execute()[1])

    def seen(self, agent_id: str, now: float) -> None:
        self._redis.zadd(SEEN, {agent_id: now})

    def forget(self, agent_id: str) -> None:
        self._redis.zrem(SEEN, agent_id)
