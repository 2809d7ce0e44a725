"""Answers to retried webhooks: Twilio re-sends a request that timed out, and must get the same
answer without anything happening twice. Keyed by I-Twilio-Idempotency-Token (or the request)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping

import redis

REPLY_KEY = "cc:voice:reply:"
TTL_SECONDS = 3600
PENDING = "\x00pending"
WAIT_FOR_FIRST_SECONDS = 10.0


def request_key(token: str | None, url: str, params: Mapping[str, str]) -> str:
    """The retry identity of a webhook: Twilio's token, else the exact URL and parameters."""
    if token:
        return "t:" + token[:128]
    body = url + "\n" + "\n".join(f"{k}={params[k]}" for k in sorted(params))
    return "h:" + hashlib.sha256(body.encode()).hexdigest()


class ReplyCache:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def once(self, key: str, produce: Callable[[], str]) -> str:
        """`produce()`'s answer for the first request with `key`; the same text for its retries.

        A retry that arrives while the first is still running waits for its answer. If the first
        failed (raised), the claim is dropped so Twilio's next retry runs again.
        """
        full = REPLY_KEY + key
        if self._redis.set(full, PENDING, nx=True, ex=TTL_SECONDS):
            try:
                answer = produce()
            except BaseException:
                self._redis.delete(full)
                raise
            self._redis.set(full, answer, ex=TTL_SECONDS)
            return answer
        return self._wait(full, produce)

    def _wait(self, full: str, produce: Callable[[], str]) -> str:
        deadline = time.monotonic() + WAIT_FOR_FIRST_SECONDS
        while time.monotonic() < deadline:
            value = self._redis.get(full)
            if value is None:  # the first attempt failed and released its claim
                return self.once(full.removeprefix(REPLY_KEY), produce)
            if value != PENDING:
                return str(value)
            time.sleep(0.02)
        raise TimeoutError("the first copy of this webhook is still being processed")
