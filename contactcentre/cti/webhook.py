"""The screen-pop webhook: every offer's pop is POSTed to a configured URL by an RQ job.

Bodies are signed (X-CC-Signature: sha256=<HMAC of the body>) when a secret is configured.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.request
from typing import Any

import redis

log = logging.getLogger(__name__)
QUEUE = "default"
TIMEOUT_SECONDS = 5
RETRY_INTERVALS = [2, 10, 60]


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(offer: dict[str, Any]) -> dict[str, Any]:
    """What the CRM receives: which agent is being offered which contact, and the pop."""
    return {
        "event": "screen_pop",
        "interaction_id": offer["task_id"],
        "reservation_id": offer["reservation_id"],
        "agent_id": offer["agent_id"],
        "queue_id": offer.get("queue_id"),
        "channel": offer.get("channel"),
        "offered_at": offer.get("at"),
        "pop": offer.get("pop"),
    }


def post_screen_pop(url: str, secret: str | None, body: dict[str, Any]) -> int:
    """The RQ job: POST the JSON body; a non-2xx answer raises, so RQ retries it."""
    data = json.dumps(body, separators=(",", ":"), default=str).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "contactcentre-cti/1"}
    if secret:
        headers["X-CC-Signature"] = signature(secret, data)
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
        status: int = response.status
    return status


class ScreenPopWebhook:
    """Enqueues one job per offer (an LPUSH: never blocks the offer on the CRM)."""

    def __init__(self, redis_url: str, url: str, secret: str | None) -> None:
        from rq import Queue

        # RQ stores pickled payloads, so its connection must not decode responses.
        self._queue = Queue(QUEUE, connection=redis.Redis.from_url(redis_url))
        self._url = url
        self._secret = secret

    def __call__(self, offer: dict[str, Any]) -> None:
        from rq import Retry

        try:
            self._queue.enqueue(
                post_screen_pop,
                self._url,
                self._secret,
                payload(offer),
                retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
                job_timeout=30,
                result_ttl=3600,
            )
        except redis.RedisError:
            log.exception("screen-pop webhook for %s not queued", offer.get("task_id"))
