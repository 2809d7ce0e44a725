"""Answers to retried webhooks: Twilio re-sends a request that timed out, and must get the same
answer without anything happening twice. Keyed by the request as signed, and Twilio's token.

The I-Twilio-Idempotency-Token header is not covered by X-Twilio-Signature, so alone it would
let a reused token fetch another call's answer; the signature covers exactly the URL and the
POST parameters, so those are in the key too. A retry repeats all three, byte for byte.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping

import redis

REPLY_KEY = "cc:voice:reply:"
TTL_SECONDS = 3600
PENDING = "\x00pending"
# A claim lives a little longer than Twilio waits for an answer (15 s): a process killed -9
# mid-request leaves one behind that nothing deletes, and its retries must not wait an hour.
# A first copy still running after that may be raced by a retry; what the views write is
# idempotent below the cache (event keys, one interaction per CallSid), so the race is harmless.
PENDING_TTL_SECONDS = 20
WAIT_FOR_FIRST_SECONDS = 10.0  # under Twilio's 15 s, so a waiting retry still answers in time


class StillProcessing(RuntimeError):
    """The first copy of this webhook has not answered yet; try again in `retry_after` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("the first copy of this webhook is still being processed")
        self.retry_after = retry_after


def request_key(token: str | None, url: str, params: Mapping[str, str]) -> str:
    """The retry identity of a webhook: its path and query, its parameters, and Twilio's token
    (two identical requests with different tokens are two deliveries Twilio meant)."""
    signed = url + "\n" + "\n".join(f"{k}={params[k]}" for k in sorted(params))
    body = (token or "")[:128] + "\n" + signed
    return ("t:" if token else "h:") + hashlib.sha256(body.encode()).hexdigest()


class ReplyCache:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def once(self, key: str, produce: Callable[[], str]) -> str:
        """`produce()`'s answer for the first request with `key`; the same text for its retries.

        A retry that arrives while the first is still running waits for its answer, and raises
        StillProcessing if none comes in time. If the first failed (raised), the claim is
        dropped so Twilio's next retry runs again; if its process died, the claim expires.
        """
        full = REPLY_KEY + key
        if self._redis.set(full, PENDING, nx=True, ex=PENDING_TTL_SECONDS):
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
            if value is None:  # the first attempt failed, or its claim expired
                return self.once(full.removeprefix(REPLY_KEY), produce)
            if value != PENDING:
                return str(value)
            time.sleep(0.02)
        left = int(self._redis.ttl(full))
        raise StillProcessing(max(1, min(left, PENDING_TTL_SECONDS)))
