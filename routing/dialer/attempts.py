"""One dial attempt's record, and what it counts as: a live answer, an abandoned call.

Abandoned is the metric definition's (routing.metrics.DialerDropRate): a live answer with no
agent connected within the connect limit of the end of the greeting. Ofcom's rule also counts
an answering-machine false positive (AMD said machine, a person had answered) as abandoned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from routing.dialer.legal import CONNECT_SECONDS, IllegalSetting
from routing.metrics import DialAttempt, DialerDropRate


class CallResult(StrEnum):
    HUMAN = "human"  # a person answered (AMD said so, or no AMD ran)
    MACHINE = "machine"  # AMD said an answering machine answered
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"  # the carrier refused or lost the call
    CANCELED = "canceled"  # the dialer hung up before an answer (e.g. the last agent left)


ANSWERED = (CallResult.HUMAN, CallResult.MACHINE)


@dataclass(frozen=True)
class DialAttemptRecord:
    """A finished (or at least placed) attempt; times are aware datetimes.

    amd_false_positive: AMD said machine but a person had answered, learnt afterwards (the
    person called back, or a sample was listened to). disposition: the code recorded, if any.
    """

    attempt_id: str
    campaign_id: str
    lead_id: str
    number: str
    placed_at: datetime
    result: CallResult
    answered_at: datetime | None = None
    greeting_ended_at: datetime | None = None
    agent_connected_at: datetime | None = None
    ended_at: datetime | None = None
    amd_used: bool = False
    amd_false_positive: bool = False
    disposition: str | None = None

    def __post_init__(self) -> None:
        times = {
            "placed_at": self.placed_at,
            "answered_at": self.answered_at,
            "greeting_ended_at": self.greeting_ended_at,
            "agent_connected_at": self.agent_connected_at,
            "ended_at": self.ended_at,
        }
        for name, at in times.items():
            if at is not None and at.utcoffset() is None:
                raise IllegalSetting(name, "must be timezone-aware")
        if (self.answered_at is not None) != (self.result in ANSWERED):
            raise IllegalSetting("answered_at", "set exactly when a person or machine answered")
        if self.answered_at is not None and self.answered_at < self.placed_at:
            raise IllegalSetting("answered_at", "cannot be before the call was placed")
        if self.agent_connected_at is not None and self.result is not CallResult.HUMAN:
            raise IllegalSetting("agent_connected_at", "only a live answer reaches an agent")
        if self.amd_false_positive and not (self.amd_used and self.result is CallResult.MACHINE):
            raise IllegalSetting("amd_false_positive", "only an AMD 'machine' verdict can be one")

    @property
    def live(self) -> bool:
        """Answered by a person, as the dialer knew it at the time (what the FCC counts)."""
        return self.result is CallResult.HUMAN

    @property
    def settled_at(self) -> datetime:
        """When the attempt stopped mattering for retries: its end, else when it was placed."""
        return self.ended_at if self.ended_at is not None else self.placed_at

    def abandoned(self, connect_seconds: float = CONNECT_SECONDS) -> bool:
        """A live answer with no agent within `connect_seconds` of the greeting (US rule)."""
        return self.live and DialerDropRate(connect_seconds).dropped(self.as_metric())

    def abandoned_uk(self, connect_seconds: float = CONNECT_SECONDS) -> bool:
        """Ofcom's abandoned call: as above, or an AMD false positive."""
        return self.amd_false_positive or self.abandoned(connect_seconds)

    def as_metric(self) -> DialAttempt:
        """The record routing.metrics' definitions take (epoch seconds)."""
        return DialAttempt(
            self.campaign_id,
            "human" if self.live else "machine" if self.result is CallResult.MACHINE else "none",
            greeting_ended_at=_epoch(self.greeting_ended_at),
            agent_connected_at=_epoch(self.agent_connected_at),
        )


def _epoch(at: datetime | None) -> float | None:
    return None if at is None else at.timestamp()
