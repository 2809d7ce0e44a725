"""Each socket's budget of events: a token bucket refuses events beyond a sane rate, and
a socket still refused again and again, never pausing long enough to refill, is disconnected.

Counted in the process's memory, not in Redis as the chat widget's limits are (chat.limits: per
visitor, over all their sockets and processes, per minute): a socket lives in one web process,
so its own count needs no Redis round trip on every event.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contactcentre.settings import Settings


@dataclass(frozen=True)
class EventBudget:
    per_second: float  # sustained rate
    burst: int  # events allowed at once, after a pause
    refusals_before_disconnect: int  # refused this often without refilling: disconnected

    def __post_init__(self) -> None:
        if self.per_second <= 0:
            raise ValueError(f"per_second must be above 0, not {self.per_second}")
        if self.burst < 1 or self.refusals_before_disconnect < 1:
            raise ValueError("burst and refusals_before_disconnect must be at least 1")


def socket_budget(settings: Settings) -> EventBudget:
    """Every socket's budget, on the consoles' namespaces and the customers' /chat alike."""
    return EventBudget(
        settings.socket_events_per_second,
        settings.socket_event_burst,
        settings.socket_refusals_before_disconnect,
    )


class Verdict(enum.Enum):
    ALLOWED = "allowed"
    REFUSED = "refused"
    DISCONNECT = "disconnect"  # refused, and it persists


@dataclass
class _Bucket:
    tokens: float
    at: float
    refusals: int = field(default=0)  # since the bucket was last full


class EventLimiter:
    def __init__(self, budget: EventBudget, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def hit(self, sid: str) -> Verdict:
        """Count one event of socket `sid`."""
        budget, now = self.budget, self._clock()
        with self._lock:
            bucket = self._buckets.get(sid)
            if bucket is None:
                bucket = self._buckets[sid] = _Bucket(float(budget.burst), now)
            bucket.tokens = min(
                float(budget.burst), bucket.tokens + (now - bucket.at) * budget.per_second
            )
            bucket.at = now
            if bucket.tokens >= budget.burst:
                bucket.refusals = 0  # it paused long enough: earlier refusals are forgiven
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return Verdict.ALLOWED
            bucket.refusals += 1
            if bucket.refusals >= budget.refusals_before_disconnect:
                return Verdict.DISCONNECT
            return Verdict.REFUSED

    def forget(self, sid: str) -> None:
        with self._lock:
            self._buckets.pop(sid, None)
