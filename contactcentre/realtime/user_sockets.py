"""Which sockets each user holds on /agent and /supervisor, on every web process, kept in Redis.

Each socket is recorded with the login it was opened with (auth.logins: "session:<id>" or
"token:<id>"): ending one login closes its sockets only; deactivation or a role change, all.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask

from contactcentre.realtime.rooms import KEY_PREFIX

USER_SOCKETS = KEY_PREFIX + "user-sockets:"  # + user id -> zset {member: last vouched for}


@dataclass(frozen=True)
class UserSocket:
    user_id: int
    namespace: str
    sid: str
    credential: str  # the login it was opened with: auth.logins' "session:<id>" or "token:<id>"

    def __post_init__(self) -> None:
        for part in (self.namespace, self.sid, self.credential):
            if not part or " " in part:
                raise ValueError(f"socket name parts must be non-empty, without spaces: {part!r}")

    @property
    def member(self) -> str:
        return f"{self.namespace} {self.sid} {self.credential}"

    @classmethod
    def parse(cls, user_id: int, member: str) -> UserSocket:
        namespace, sid, credential = member.split(" ", 2)
        return cls(user_id, namespace, sid, credential)


class UserSockets:
    """The Redis record. A web process vouches for its sockets every few seconds; one killed
    stops vouching, and its sockets fall out after `ttl` seconds (the key too, if it was all)."""

    def __init__(self, client: redis.Redis, ttl: float) -> None:
        self._redis = client
        self._ttl = ttl

    def opened(self, socket: UserSocket, now: float) -> None:
        self.refresh([socket], now)

    def closed(self, socket: UserSocket) -> None:
        self._redis.zrem(USER_SOCKETS + str(socket.user_id), socket.member)

    def refresh(self, sockets: Iterable[UserSocket], now: float) -> None:
        by_user: dict[int, dict[str, float]] = {}
        for socket in sockets:
            by_user.setdefault(socket.user_id, {})[socket.member] = now
        if not by_user:
            return
        pipe = self._redis.pipeline(transaction=False)
        for user_id, members in by_user.items():
            pipe.zadd(USER_SOCKETS + str(user_id), members)
            pipe.expire(USER_SOCKETS + str(user_id), max(1, int(self._ttl) + 1))
        pipe.execute()

    def live(self, user_id: int, now: float, credential: str | None = None) -> list[UserSocket]:
        """The user's sockets vouched for within the TTL (all, or those of one credential)."""
        key = USER_SOCKETS + str(user_id)
        pipe = self._redis.pipeline(transaction=False)
        pipe.zremrangebyscore(key, "-inf", now - self._ttl)
        pipe.zrange(key, 0, -1)
        members: Any = pipe.execute()[1]
        found = [UserSocket.parse(user_id, str(m)) for m in members]
        return [s for s in found if credential is None or s.credential == credential]


def close_user_sockets(app: Flask, user_id: int, credential: str | None = None) -> int:
    """Disconnect the user's sockets wherever they are (all, or one login's): python-socketio's
    Redis manager disconnects a socket of this process at once and publishes the others to
    every process. Returns how many were asked to close. Call it after the change has been
    committed, so a client that reconnects at once is judged by the new state."""
    return close_login_sockets(app, user_id, None if credential is None else [credential])


def close_login_sockets(app: Flask, user_id: int, credentials: Iterable[str] | None) -> int:
    """The sockets of these logins of the user (None: all of them), as close_user_sockets."""
    runtime = app.extensions["contactcentre"]
    server = app.extensions["socketio"].server
    sockets = UserSockets(runtime.redis, runtime.settings.realtime_grace_seconds)
    wanted = None if credentials is None else set(credentials)
    found = [
        s for s in sockets.live(user_id, time.time()) if wanted is None or s.credential in wanted
    ]
    for socket in found:
        server.disconnect(socket.sid, namespace=socket.namespace)
    return len(found)


def close_ended_logins(app: Flask, user_id: int = 0, credentials: Any = (), **_: Any) -> None:
    """auth.logins' `logins_ended` receiver (a sign-out): those logins' sockets go with them;
    the user's other sign-ins and tokens keep theirs."""
    if user_id and credentials:
        close_login_sockets(app, int(user_id), list(credentials))
