"""SLA metric definitions: named, versioned formulas over plain contact-outcome records.

Vendors disagree on what "service level" means (DOMAIN.md §2), so every number names its definition.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

ServiceLevelVariant = Literal["asterisk_sl", "asterisk_sl2", "connect", "genesys"]
Elapsed = Callable[[float, float], float]


@dataclass(frozen=True)
class ContactOutcome:
    """One contact's milestones (seconds), projected from its interaction_events rows.

    A contact leaves the queue exactly one way: answered, abandoned (hung up while queued) or
    callback (asked to be called back, which is not an abandon). Unset times mean "never happened".
    """

    contact_id: str
    queue_id: str | None = None
    channel: str = "voice"
    agent_id: str | None = None  # the agent who handled it, for per-agent figures
    queued_at: float | None = None
    answered_at: float | None = None
    abandoned_at: float | None = None
    callback_at: float | None = None
    ended_at: float | None = None
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    acw_seconds: float = 0.0
    customer_message_at: float | None = None
    first_human_reply_at: float | None = None
    csat: int | None = None

    def __post_init__(self) -> None:
        left = [t for t in (self.answered_at, self.abandoned_at, self.callback_at) if t is not None]
        if len(left) > 1:
            raise ValueError(
                f"contact {self.contact_id}: set only one of answered_at, abandoned_at, callback_at"
            )
        if left and self.queued_at is not None and left[0] < self.queued_at:
            raise ValueError(f"contact {self.contact_id}: left the queue before queued_at")
        if self.csat is not None and not 1 <= self.csat <= 5:
            raise ValueError(f"contact {self.contact_id}: csat must be 1-5, got {self.csat}")

    def waited(self) -> float | None:
        """Seconds from enqueue to leaving the queue (answer, abandon or callback), if it left."""
        for left in (self.answered_at, self.abandoned_at, self.callback_at):
            if left is not None and self.queued_at is not None:
                return left - self.queued_at
        return None


@dataclass(frozen=True)
class Handling:
    """One agent's handling of a contact: talk and hold from connecting to the contact's end,
    then after-call work until the agent's disposition (else the wrap-up timer's end).

    Ringing the agent before they connect is alert time, not handling: nobody is talking yet, and
    DOMAIN.md's AHT is talk + hold + after-call work. Holds count only while the contact lasts.
    """

    connected_at: float
    ended_at: float
    holds: tuple[tuple[float, float], ...] = ()
    acw_ended_at: float | None = None

    def __post_init__(self) -> None:
        if self.ended_at < self.connected_at:
            raise ValueError("a contact cannot end before its agent connected")
        if any(end < start for start, end in self.holds):
            raise ValueError("a hold cannot end before it starts")

    @property
    def hold_seconds(self) -> float:
        return sum(
            max(0.0, min(end, self.ended_at) - max(start, self.connected_at))
            for start, end in self.holds
        )

    @property
    def talk_seconds(self) -> float:
        return self.ended_at - self.connected_at - self.hold_seconds

    @property
    def acw_seconds(self) -> float:
        if self.acw_ended_at is None:
            return 0.0
        return max(0.0, self.acw_ended_at - self.ended_at)


@dataclass(frozen=True)
class Offer:
    """One offer of a contact to an agent and how it ended for that agent."""

    agent_id: str
    outcome: Literal["accepted", "rejected", "expired"]


@dataclass(frozen=True)
class AgentTime:
    """One agent's interval: seconds on contacts (incl. hold and ACW) and available idle."""

    agent_id: str
    contact_seconds: float
    idle_seconds: float


@dataclass(frozen=True)
class DialAttempt:
    """One outbound dial: who answered, when the greeting ended and when an agent was connected."""

    campaign_id: str
    answered_by: Literal["human", "machine", "none"]
    greeting_ended_at: float | None = None
    agent_connected_at: float | None = None


class MetricDefinition(Protocol):
    """What the UI shows beside each number: stable id, version and a label with units."""

    metric_id: ClassVar[str]
    version: ClassVar[int]

    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _seconds(value: float) -> str:
    return f"{value:g} s"


@dataclass(frozen=True)
class ServiceLevel:
    """Service level under one vendor's variant, answer target T and short-abandon threshold."""

    variant: ServiceLevelVariant = "genesys"
    target_seconds: float = 20.0
    short_abandon_seconds: float = 0.0
    metric_id: ClassVar[str] = "service_level"
    version: ClassVar[int] = 1

    def __post_init__(self) -> None:
        if self.target_seconds < 0 or self.short_abandon_seconds < 0:
            raise ValueError("target_seconds and short_abandon_seconds must not be negative")
        if self.short_abandon_seconds and self.variant != "genesys":
            raise ValueError(f"short-abandon exclusion applies to 'genesys', not '{self.variant}'")

    @property
    def id(self) -> str:
        return f"{self.metric_id}.{self.variant}"

    @property
    def label(self) -> str:
        t = _seconds(self.target_seconds)
        text = {
            "asterisk_sl": f"answered within {t} / answered",
            "asterisk_sl2": f"(answered + abandoned) within {t} / (answered + abandoned)",
            "connect": f"left queue within {t} / queued (answered, abandoned or callback)",
            "genesys": f"answered within {t} / offered (answered + abandoned)",
        }[self.variant]
        if self.short_abandon_seconds:
            text += f", short abandons under {_seconds(self.short_abandon_seconds)} excluded"
        return f"Service level: {text}"

    def compute(self, outcomes: Iterable[ContactOutcome]) -> float | None:
        queued = [o for o in outcomes if o.queued_at is not None]
        answered = [o for o in queued if o.answered_at is not None]
        abandoned = [o for o in queued if o.abandoned_at is not None]
        if self.short_abandon_seconds:
            abandoned = [o for o in abandoned if _waited(o) >= self.short_abandon_seconds]
        answered_in_time = sum(_waited(o) <= self.target_seconds for o in answered)
        if self.variant == "asterisk_sl":
            return _ratio(answered_in_time, len(answered))
        if self.variant == "asterisk_sl2":
            abandoned_in_time = sum(_waited(o) <= self.target_seconds for o in abandoned)
            return _ratio(answered_in_time + abandoned_in_time, len(answered) + len(abandoned))
        if self.variant == "connect":
            left_in_time = sum(
                (w := o.waited()) is not None and w <= self.target_seconds for o in queued
            )
            return _ratio(left_in_time, len(queued))
        return _ratio(answered_in_time, len(answered) + len(abandoned))


def _waited(outcome: ContactOutcome) -> float:
    waited = outcome.waited()
    assert waited is not None  # callers pass only contacts that left the queue
    return waited


class _Named:
    """Gives a definition its `id` (the class's metric_id), as MetricDefinition requires."""

    metric_id: ClassVar[str] = ""

    @property
    def id(self) -> str:
        return self.metric_id


@dataclass(frozen=True)
class AverageSpeedOfAnswer(_Named):
    """Mean seconds from enqueue to agent answer, over answered contacts."""

    metric_id: ClassVar[str] = "asa"
    version: ClassVar[int] = 1

    @property
    def label(self) -> str:
        return "ASA: mean seconds from enqueue to agent answer, answered contacts"

    def compute(self, outcomes: Iterable[ContactOutcome]) -> float | None:
        return _mean(
            [_waited(o) for o in outcomes if o.answered_at is not None and o.queued_at is not None]
        )


@dataclass(frozen=True)
class AbandonRate(_Named):
    """Hung up while queued / queued; callbacks are not abandons; short abandons optionally out."""

    short_abandon_seconds: float = 0.0
    metric_id: ClassVar[str] = "abandon_rate"
    version: ClassVar[int] = 1

    @property
    def label(self) -> str:
        text = "Abandon rate: hung up while queued / queued, callbacks not abandons"
        if self.short_abandon_seconds:
            text += f", short abandons under {_seconds(self.short_abandon_seconds)} excluded"
        return text

    def compute(self, outcomes: Iterable[ContactOutcome]) -> float | None:
        # A short abandon is treated as never offered: out of the numerator and the denominator.
        queued = [
            o
            for o in outcomes
            if o.queued_at is not None
            and not (o.abandoned_at is not None and _waited(o) < self.short_abandon_seconds)
        ]
        return _ratio(sum(o.abandoned_at is not None for o in queued), len(queued))


def _handled(outcome: ContactOutcome) -> bool:
    return outcome.answered_at is not None and outcome.ended_at is not None


@dataclass(frozen=True)
class ContactsHandled(_Named):
    """Contacts answered whose contact has ended (a count; per agent when given one agent's)."""

    metric_id: ClassVar[str] = "handled"
    version: ClassVar[int] = 1

    @property
    def label(self) -> str:
        return "Handled: contacts answered whose contact has ended"

    def compute(self, outcomes: Iterable[ContactOutcome]) -> int:
        return sum(_handled(o) for o in outcomes)


@dataclass(frozen=True)
class AverageHandleTime(_Named):
    """Mean talk + hold + after-call work seconds, over handled contacts (see Handling)."""

    metric_id: ClassVar[str] = "aht"
    # v2: only contacts that have ended; v1 averaged answered contacts still in progress too.
    version: ClassVar[int] = 2

    @property
    def label(self) -> str:
        return (
            "AHT: mean seconds of talk + hold + after-call work, from the agent connecting"
            " (ringing excluded) to the end of wrap-up, handled contacts"
        )

    def compute(self, outcomes: Iterable[ContactOutcome]) -> float | None:
        return _mean(
            [o.talk_seconds + o.hold_seconds + o.acw_seconds for o in outcomes if _handled(o)]
        )


@dataclass(frozen=True)
class OffersNotTaken:
    """Offers that rang until they expired ("missed") or that the agent declined (a count)."""

    outcome: Literal["expired", "rejected"] = "expired"
    metric_id: ClassVar[str] = "offers"
    version: ClassVar[int] = 1

    @property
    def id(self) -> str:
        return f"{self.metric_id}.{'missed' if self.outcome == 'expired' else 'rejected'}"

    @property
    def label(self) -> str:
        if self.outcome == "expired":
            return "Missed offers: offers that rang until they expired"
        return "Rejected offers: offers the agent declined"

    def compute(self, offers: Iterable[Offer]) -> int:
        return sum(o.outcome == self.outcome for o in offers)


@dataclass(frozen=True)
class Occupancy(_Named):
    """Time on contacts / (time on contacts + available idle time), summed over agents."""

    metric_id: ClassVar[str] = "occupancy"
    version: ClassVar[int] = 1

    @property
    def label(self) -> str:
        return "Occupancy: time on contacts / (time on contacts + available idle time)"

    def compute(self, agent_times: Iterable[AgentTime]) -> float | None:
        rows = list(agent_times)
        on_contacts = sum(a.contact_seconds for a in rows)
        total = on_contacts + sum(a.idle_seconds for a in rows)
        return on_contacts / total if total > 0 else None


@dataclass(frozen=True)
class FirstResponseTime:
    """Mean seconds from the customer's message to the first human reply (bots excluded upstream).

    `elapsed(start, end)` lets the app count business hours only; by default wall-clock seconds.
    """

    channel: str | None = None
    elapsed: Elapsed | None = None
    metric_id: ClassVar[str] = "first_response_time"
    version: ClassVar[int] = 1

    @property
    def id(self) -> str:
        return self.metric_id if self.channel is None else f"{self.metric_id}.{self.channel}"

    @property
    def label(self) -> str:
        hours = "business-hours" if self.elapsed else "wall-clock"
        scope = f"{self.channel} " if self.channel else ""
        return (
            f"First response time: mean {hours} seconds, "
            f"{scope}customer message -> first human reply"
        )

    def compute(self, outcomes: Iterable[ContactOutcome]) -> float | None:
        elapsed = self.elapsed or (lambda start, end: end - start)
        return _mean(
            [
                elapsed(o.customer_message_at, o.first_human_reply_at)
                for o in outcomes
                if o.customer_message_at is not None
                and o.first_human_reply_at is not None
                and (self.channel is None or o.channel == self.channel)
            ]
        )


@dataclass(frozen=True)
class CustomerSatisfaction(_Named):
    """CSAT: ratings of 4 or 5 / all ratings, on a 1-5 scale."""

    metric_id: ClassVar[str] = "csat"
    version: ClassVar[int] = 1

    @property
    def label(self) -> str:
        return "CSAT: ratings 4-5 / all ratings (1-5 scale)"

    def satisfied(self, score: int) -> bool:
        """A rating that counts towards CSAT: 4 or 5."""
        return score >= 4

    def compute(self, outcomes: Iterable[ContactOutcome]) -> float | None:
        ratings = [o.csat for o in outcomes if o.csat is not None]
        return _ratio(sum(self.satisfied(r) for r in ratings), len(ratings))


@dataclass(frozen=True)
class DialerDropRate(_Named):
    """Abandoned live answers / live answers; machines excluded; one campaign's attempts at a time.

    A live answer is abandoned when no agent is connected within `connect_seconds` of the end of
    the called person's greeting (2 s under FCC 47 CFR 64.1200 and Ofcom).
    """

    connect_seconds: float = 2.0
    metric_id: ClassVar[str] = "dialer_drop_rate"
    version: ClassVar[int] = 1

    @property
    def label(self) -> str:
        return (
            f"Drop rate: live answers without an agent within {_seconds(self.connect_seconds)}"
            " / live answers (machines excluded)"
        )

    def compute(self, attempts: Iterable[DialAttempt]) -> float | None:
        live = [a for a in attempts if a.answered_by == "human"]
        return _ratio(sum(self.dropped(a) for a in live), len(live))

    def per_campaign(self, attempts: Iterable[DialAttempt]) -> dict[str, float | None]:
        """Drop rate of each campaign, the unit the regulations apply to."""
        by_campaign: dict[str, list[DialAttempt]] = {}
        for attempt in attempts:
            by_campaign.setdefault(attempt.campaign_id, []).append(attempt)
        return {cid: self.compute(rows) for cid, rows in by_campaign.items()}

    def dropped(self, attempt: DialAttempt) -> bool:
        if attempt.agent_connected_at is None or attempt.greeting_ended_at is None:
            return attempt.agent_connected_at is None
        return attempt.agent_connected_at - attempt.greeting_ended_at > self.connect_seconds
