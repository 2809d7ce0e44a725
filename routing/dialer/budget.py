"""The account's calls-per-second budget, shared by every outbound call, as a token bucket.

Twilio throttles outbound calls per account (1 per second unless raised); a dialer that asks
for more only gets queued or refused. The bucket refills at `rate` per second up to `burst`.
Pure: the clock is an argument, and take() returns the next state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class CallsPerSecondBudget:
    rate: float
    burst: float
    tokens: float
    at: float

    def __post_init__(self) -> None:
        if not self.rate > 0 or self.burst < 1:
            raise ValueError("rate must be positive and burst at least one call")

    @classmethod
    def full(cls, rate: float, at: float, burst: float | None = None) -> CallsPerSecondBudget:
        size = burst if burst is not None else max(1.0, rate)
        return cls(rate, size, size, at)

    def refilled(self, now: float) -> CallsPerSecondBudget:
        if now <= self.at:
            return self
        tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        return replace(self, tokens=tokens, at=now)

    def available(self, now: float) -> int:
        """Whole calls that may be placed at `now`."""
        return int(self.refilled(now).tokens + 1e-9)

    def take(self, calls: int, now: float) -> CallsPerSecondBudget:
        budget = self.refilled(now)
        if calls > budget.tokens + 1e-9:
            raise ValueError(f"{calls} calls asked, {budget.tokens:.2f} in the budget")
        return replace(budget, tokens=budget.tokens - calls)
