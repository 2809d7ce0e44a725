"""The records metric definitions read (one contact, one agent's time, one dial) and the Tally:
additive counts over contacts, so a figure over many intervals is the figure of their sum.

Durations are summed in whole milliseconds, so adding tallies in any order gives the same total
and a rolled-up figure equals the one computed directly, exactly (not merely to a float's noise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Literal

Elapsed = Callable[[float, float], float]
Clock = Literal["queued", "arrived"]


@dataclass(frozen=True)
class ContactOutcome:
    """One contact's milestones (epoch seconds), projected from its interaction_events rows.

    A contact leaves the queue exactly one way: answered, abandoned (hung up while queued) or
    callback (asked to be called back, which is not an abandon). Unset times mean "never happened".
    `responses` pairs each customer message that waited for an answer with the human reply that
    answered it (bot replies are not replies), in order: the first pair is the first response.
    """

    contact_id: str
    queue_id: str | None = None
    channel: str = "voice"
    agent_id: str | None = None  # the agent who handled it last, for per-agent figures
    arrived_at: float | None = None  # the contact's `created` event: the IVR's clock starts here
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
    responses: tuple[tuple[float, float], ...] = ()
    csat: int | None = None
    ces: int | None = None
    transferred: bool = False
    disposition: str | None = None
    resolved: bool | None = None  # the disposition's "counts toward FCR" flag
    customer_id: str | None = None
    callback_for: str | None = None  # a callback contact: the contact that asked for it
    campaign_id: str | None = None

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
        if self.ces is not None and not 1 <= self.ces <= 7:
            raise ValueError(f"contact {self.contact_id}: ces must be 1-7, got {self.ces}")

    @property
    def left_at(self) -> float | None:
        """When it left the queue (answer, abandon or callback), if it did."""
        for left in (self.answered_at, self.abandoned_at, self.callback_at):
            if left is not None:
                return left
        return None

    def waited(self, clock: Clock = "queued") -> float | None:
        """Seconds from the clock's start (enqueue, or arrival) to leaving the queue, if it left."""
        start = self.arrived_at if clock == "arrived" else self.queued_at
        if start is None and clock == "arrived":
            start = self.queued_at
        left = self.left_at
        if left is None or start is None:
            return None
        return max(0.0, left - start)

    @property
    def handled(self) -> bool:
        """Answered by an agent, and the contact has ended."""
        return self.answered_at is not None and self.ended_at is not None

    def all_responses(self) -> tuple[tuple[float, float], ...]:
        if self.responses:
            return self.responses
        if self.customer_message_at is not None and self.first_human_reply_at is not None:
            return ((self.customer_message_at, self.first_human_reply_at),)
        return ()


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
    """One agent's interval: seconds on contacts (incl. hold and ACW), available idle, and
    signed in but away (break, not ready)."""

    agent_id: str
    contact_seconds: float
    idle_seconds: float
    away_seconds: float = 0.0


@dataclass(frozen=True)
class DialAttempt:
    """One outbound dial: who answered, when the greeting ended and when an agent was connected."""

    campaign_id: str
    answered_by: Literal["human", "machine", "none"]
    greeting_ended_at: float | None = None
    agent_connected_at: float | None = None


@dataclass(frozen=True)
class Thresholds:
    """The settings a tally's queue counts depend on: the answer target, the short-abandon
    threshold and where both clocks start (enqueue, or the contact's arrival, IVR included)."""

    target_seconds: float = 20.0
    short_abandon_seconds: float = 0.0
    clock: Clock = "queued"

    def __post_init__(self) -> None:
        if self.target_seconds < 0 or self.short_abandon_seconds < 0:
            raise ValueError("target_seconds and short_abandon_seconds must not be negative")
        if self.clock not in ("queued", "arrived"):
            raise ValueError(f"clock must be 'queued' or 'arrived', not {self.clock!r}")


def ms(seconds: float) -> int:
    """Whole milliseconds: the unit tallies sum durations in."""
    return round(seconds * 1000)


@dataclass(frozen=True)
class Tally:
    """Additive counts (and millisecond sums) over contacts; `a + b` is the tally of both.

    Every contact-based definition computes its figure from a tally alone, which is what lets
    interval tables store tallies and reports add them up.
    """

    queued: int = 0
    answered: int = 0
    answered_in_target: int = 0
    answer_wait_ms: int = 0
    abandoned: int = 0
    abandoned_in_target: int = 0
    abandon_wait_ms: int = 0
    short_abandoned: int = 0
    callbacks: int = 0
    left_in_target: int = 0
    handled: int = 0
    talk_ms: int = 0
    hold_ms: int = 0
    acw_ms: int = 0
    transferred: int = 0
    rated: int = 0
    satisfied: int = 0
    effort_rated: int = 0
    effort_sum: int = 0
    first_responses: int = 0
    first_response_ms: int = 0
    next_responses: int = 0
    next_response_ms: int = 0
    resolved_contacts: int = 0
    resolution_ms: int = 0
    disposed: int = 0
    resolved_first_contact: int = 0
    callback_contacts: int = 0
    callbacks_kept: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(**{f: getattr(self, f) + getattr(other, f) for f in TALLY_FIELDS})

    def to_dict(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in TALLY_FIELDS}

    @classmethod
    def total(cls, tallies: Iterable[Tally]) -> Tally:
        result = cls()
        for tally in tallies:
            result = result + tally
        return result

    @classmethod
    def over(
        cls,
        outcomes: Iterable[ContactOutcome],
        thresholds: Thresholds | None = None,
        elapsed: Elapsed | None = None,
    ) -> Tally:
        rule = thresholds or Thresholds()
        return cls.total(cls.of(o, rule, elapsed) for o in outcomes)

    @classmethod
    def of(
        cls, outcome: ContactOutcome, thresholds: Thresholds, elapsed: Elapsed | None = None
    ) -> Tally:
        """One contact's counts; `elapsed(start, end)` measures response and resolution times
        (wall-clock seconds unless a business-hours clock is given)."""
        clock = elapsed or (lambda start, end: end - start)
        counts: dict[str, int] = {}
        counts.update(_queue_counts(outcome, thresholds))
        counts.update(_handling_counts(outcome))
        counts.update(_quality_counts(outcome))
        counts.update(_response_counts(outcome, clock))
        return cls(**counts)


TALLY_FIELDS = tuple(f.name for f in fields(Tally))


def _queue_counts(o: ContactOutcome, rule: Thresholds) -> dict[str, int]:
    if o.queued_at is None:
        return {}
    waited = o.waited(rule.clock)
    in_target = waited is not None and waited <= rule.target_seconds
    counts = {"queued": 1, "left_in_target": int(in_target)}
    if o.answered_at is not None and waited is not None:
        counts |= {
            "answered": 1,
            "answered_in_target": int(in_target),
            "answer_wait_ms": ms(waited),
        }
    elif o.abandoned_at is not None and waited is not None:
        counts |= {
            "abandoned": 1,
            "abandoned_in_target": int(in_target),
            "abandon_wait_ms": ms(waited),
            "short_abandoned": int(waited < rule.short_abandon_seconds),
        }
    elif o.callback_at is not None:
        counts["callbacks"] = 1
    return counts


def _handling_counts(o: ContactOutcome) -> dict[str, int]:
    counts: dict[str, int] = {}
    if o.handled:
        counts |= {
            "handled": 1,
            "talk_ms": ms(o.talk_seconds),
            "hold_ms": ms(o.hold_seconds),
            "acw_ms": ms(o.acw_seconds),
            "transferred": int(o.transferred),
        }
        if o.resolved is not None:
            # Resolved at the first contact: the agent's disposition says so and no transfer
            # passed the customer on.
            counts |= {
                "disposed": 1,
                "resolved_first_contact": int(o.resolved and not o.transferred),
            }
    if o.callback_for is not None:
        counts |= {"callback_contacts": 1, "callbacks_kept": int(o.handled and o.talk_seconds > 0)}
    return counts


def _quality_counts(o: ContactOutcome) -> dict[str, int]:
    counts: dict[str, int] = {}
    if o.csat is not None:
        counts |= {"rated": 1, "satisfied": int(o.csat >= 4)}
    if o.ces is not None:
        counts |= {"effort_rated": 1, "effort_sum": o.ces}
    return counts


def _response_counts(o: ContactOutcome, clock: Elapsed) -> dict[str, int]:
    counts: dict[str, int] = {}
    pairs = o.all_responses()
    if pairs:
        (first_in, first_out), rest = pairs[0], pairs[1:]
        counts |= {"first_responses": 1, "first_response_ms": ms(clock(first_in, first_out))}
        counts |= {
            "next_responses": len(rest),
            "next_response_ms": sum(ms(clock(start, end)) for start, end in rest),
        }
    start = o.arrived_at if o.arrived_at is not None else o.queued_at
    if o.ended_at is not None and start is not None and o.answered_at is not None:
        counts |= {"resolved_contacts": 1, "resolution_ms": ms(clock(start, o.ended_at))}
    return counts
