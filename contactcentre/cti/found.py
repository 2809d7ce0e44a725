"""Customers an agent found by searching (or created) recently, kept per user in Redis.

A search opens the records it returned for a shift; each id expires on its own, not with the set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import redis

FOUND = "cc:cti:found:"  # + user id -> sorted set {customer id: time the grant ends}


class FoundCustomers:
    """Scores are expiry times, so one search never extends what an earlier one found."""

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._clock = clock

    def remember(self, user_id: int, customer_ids: Iterable[int], ttl_seconds: int) -> None:
        ids = {str(customer_id) for customer_id in customer_ids}
        if not ids:
            return
        now = self._clock()
        until = now + ttl_seconds
        key = FOUND + str(user_id)
        pipe = self._redis.pipeline(transaction=False)
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zadd(key, dict.fromkeys(ids, until))
        pipe.expire(key, ttl_seconds)
        pipe.execute()

    def holds(self, user_id: int, customer_id: int) -> bool:
        until: Any = self._redis.zscore(FOUND + str(user_id), str(customer_id))
        return until is not None and float(until) > self._clock()

    def forget(self, user_id: int) -> None:
        self._redis.delete(FOUND + str(user_id))
