"""Per-visitor and per-address rate limits of the chat widget, counted in Redis so every web
process shares them. Fixed windows: cheap, and a burst at a window's edge is at most double."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

PREFIX = "cc:chat:limit:"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window resets (0 when allowed)


class RateLimiter:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def hit(self, bucket: str, limit: int, window_seconds: int) -> Verdict:
        """Count one event in `bucket`; refused once `limit` events fell in the current window."""
        now = int(time.time())
        window = now // window_seconds
        key = f"{PREFIX}{bucket}:{window}"
        pipe = self._redis.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window_seconds + 1)
        count = int(pipe.execute()[0])
        if count <= limit:
            return Verdict(True, 0)
        return Verdict(False, (window + 1) * window_seconds - now)
