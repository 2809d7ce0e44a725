"""A campaign's compliance policy: US or UK rules, hours, retries, and the legal limits.

Every field may be made stricter than the law; none may be made laxer unless an audited
LegalOverride for that rule covers it. Invalid or illegal settings raise IllegalSetting naming
the field, so an API can answer 422 with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType

from routing.dialer.attempts import DialAttemptRecord
from routing.dialer.calling_window import CallingWindow
from routing.dialer.legal import (
    ABANDON_LIMIT,
    CONNECT_SECONDS,
    MIN_RING_SECONDS,
    UK_ABANDON_PERIOD,
    US_ABANDON_PERIOD,
    IllegalSetting,
    LegalOverride,
    Rule,
    override_for,
)


class Jurisdiction(StrEnum):
    US = "us"  # FCC / FTC: 3% of live answers over 30 days
    UK = "uk"  # Ofcom: 3% over 24 hours, AMD false positives count, 72 h and 24 h AMD rules


class RetryOutcome(StrEnum):
    """What a retry delay is keyed by: the call's result, with abandoned live calls apart."""

    HUMAN = "human"
    ABANDONED = "abandoned"
    MACHINE = "machine"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    CANCELED = "canceled"


DEFAULT_RETRY_DELAYS: Mapping[RetryOutcome, timedelta] = MappingProxyType(
    {
        RetryOutcome.HUMAN: timedelta(days=1),  # a conversation without a closing disposition
        RetryOutcome.ABANDONED: timedelta(hours=4),
        RetryOutcome.MACHINE: timedelta(hours=4),
        RetryOutcome.BUSY: timedelta(minutes=20),
        RetryOutcome.NO_ANSWER: timedelta(hours=2),
        RetryOutcome.FAILED: timedelta(hours=1),
        RetryOutcome.CANCELED: timedelta(0),
    }
)
ABANDON_AIM_SHARE = 0.8  # by default pacing aims at 80% of the limit, never at the limit
BURST_WINDOW = timedelta(minutes=30)
BURST_LIMIT = 0.045


@dataclass(frozen=True)
class CompliancePolicy:
    """A campaign's rules. abandon_aim is where pacing aims (default 80% of abandon_limit);
    ring_timeout_seconds is how long an unanswered call rings (at least min_ring_seconds).
    burst_window and burst_limit: a guard against bursts of abandons, no law's but the
    operator's (regulators look at them): no window of that length above that rate (None: off).
    """

    jurisdiction: Jurisdiction = Jurisdiction.US
    window: CallingWindow = field(default_factory=CallingWindow)
    max_attempts: int = 6
    retry_delays: Mapping[RetryOutcome, timedelta] = field(
        default_factory=lambda: DEFAULT_RETRY_DELAYS
    )
    min_ring_seconds: float = MIN_RING_SECONDS
    ring_timeout_seconds: float = 25.0
    connect_seconds: float = CONNECT_SECONDS
    abandon_limit: float = ABANDON_LIMIT
    abandon_aim: float | None = None
    require_consent: bool = True
    burst_window: timedelta | None = BURST_WINDOW
    burst_limit: float = BURST_LIMIT
    overrides: tuple[LegalOverride, ...] = ()

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise IllegalSetting("max_attempts", "must be at least 1")
        missing = set(RetryOutcome) - set(self.retry_delays)
        if missing:
            raise IllegalSetting("retry_delays", f"no delay for {', '.join(sorted(missing))}")
        if any(delay < timedelta(0) for delay in self.retry_delays.values()):
            raise IllegalSetting("retry_delays", "delays must not be negative")
        self._within_law(
            "min_ring_seconds", Rule.MIN_RING_SECONDS, self.min_ring_seconds, laxer_if_lower=True
        )
        if self.ring_timeout_seconds < self.min_ring_seconds:
            raise IllegalSetting(
                "ring_timeout_seconds",
                f"an unanswered call must ring at least {self.min_ring_seconds:g} s",
            )
        self._within_law("connect_seconds", Rule.CONNECT_SECONDS, self.connect_seconds)
        self._within_law("abandon_limit", Rule.ABANDON_LIMIT, self.abandon_limit)
        aim = self.aim
        if not 0 < aim <= self.abandon_limit:
            raise IllegalSetting("abandon_aim", "must be above 0 and at most the abandon limit")
        if not self.abandon_limit <= self.burst_limit < 1:
            raise IllegalSetting("burst_limit", "must be at least the abandon limit and below 1")
        if self.burst_window is not None and not (
            timedelta(0) < self.burst_window < self.abandon_period
        ):
            raise IllegalSetting("burst_window", "must be positive and shorter than the period")

    def _within_law(
        self, name: str, rule: Rule, value: float, *, laxer_if_lower: bool = False
    ) -> None:
        if not value > 0:
            raise IllegalSetting(name, "must be positive")
        legal = {
            Rule.MIN_RING_SECONDS: MIN_RING_SECONDS,
            Rule.CONNECT_SECONDS: CONNECT_SECONDS,
            Rule.ABANDON_LIMIT: ABANDON_LIMIT,
        }[rule]
        laxer = value < legal if laxer_if_lower else value > legal
        if not laxer:
            return
        granted = override_for(rule, self.overrides)
        allowed = granted.value if granted is not None else None
        if isinstance(allowed, float | int) and (
            value >= allowed if laxer_if_lower else value <= allowed
        ):
            return
        raise IllegalSetting(
            name, f"{value:g} is past the legal {legal:g}; only an audited override can allow it"
        )

    @property
    def aim(self) -> float:
        """The abandon rate pacing aims at."""
        if self.abandon_aim is not None:
            return self.abandon_aim
        return ABANDON_AIM_SHARE * self.abandon_limit

    @property
    def abandon_period(self) -> timedelta:
        """The legal measurement period: 30 days (US) or 24 hours (UK)."""
        return UK_ABANDON_PERIOD if self.jurisdiction is Jurisdiction.UK else US_ABANDON_PERIOD

    def counts_as_abandoned(self, attempt: DialAttemptRecord) -> bool:
        """Abandoned under this jurisdiction's rule (UK: AMD false positives too)."""
        if self.jurisdiction is Jurisdiction.UK:
            return attempt.abandoned_uk(self.connect_seconds)
        return attempt.abandoned(self.connect_seconds)

    def retry_outcome(self, attempt: DialAttemptRecord) -> RetryOutcome:
        if self.counts_as_abandoned(attempt):
            return RetryOutcome.ABANDONED
        return RetryOutcome(attempt.result.value)

    def retry_delay(self, attempt: DialAttemptRecord) -> timedelta:
        return self.retry_delays[self.retry_outcome(attempt)]
