"""A Redis leader lock with a token, so only the holder can renew, release or commit.

The router's commit script checks the same token, which fences off a paused ex-leader.
"""

from __future__ import annotations

import logging
import threading
import uuid

import redis

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LeaderLock:
    def __init__(self, client: redis.Redis, key: str, ttl_ms: int = 1500) -> None:
        self._redis = client
        self.key = key
        self.ttl_ms = ttl_ms
        self.token = uuid.uuid4().hex
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def acquire(self) -> bool:
        return bool(self._redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def renew(self) -> bool:
        return bool(self._renew(keys=[self.key], args=[self.token, self.ttl_ms]))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.token])


class Lease:
    """Keeps a held LeaderLock renewed from a thread of its own while the holder works.

    Renewing between routing steps lost the lock whenever one step (a recovery replay, a large
    batch, a saturated machine) outlasted the TTL. Safety never depends on this thread: every
    commit checks the token, so a lease that lapses only makes the leader stand down.
    """

    def __init__(self, lock: LeaderLock, every_seconds: float) -> None:
        self._lock = lock
        self._every = every_seconds
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="leader-lease", daemon=True)

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _renew(self) -> None:
        while not self._done.wait(self._every):
            try:
                held = self._lock.renew()
            except redis.RedisError as exc:
                log.warning("could not renew the leader lock: %s", exc)
                continue  # the TTL decides; a later renewal may still be in time
            if not held:
                self.lost.set()
                return
