"""SLA policies and their clocks: which policy a contact falls under (most specific wins), and
from its events when each target's clock started, when it falls due and whether it was met.

Pure: policies, calendars and events come in as plain values, so the same function serves the
live watch, a rebuild from the event log and the unit tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from routing.business_hours import Calendar

Target = Literal["answer", "first_response", "resolution"]
TARGETS: tuple[Target, ...] = ("answer", "first_response", "resolution")
Status = Literal["running", "met", "breached", "closed"]
HUMAN_AUTHORS = frozenset({"agent", "supervisor"})
# What ends a contact without resolving it: its clocks stop there (closed, or breached if due).
LEFT = frozenset({"canceled", "abandoned", "exited", "transferred", "customer_left"})
# Which event starts and which stops each target's clock (the first of each).
CLOCKS: dict[Target, str] = {
    "answer": "first `queued` -> first `accepted`",
    "first_response": "first customer `message_in` -> first agent or supervisor `message_out`",
    "resolution": "`created` -> first `completed`",
}


@dataclass(frozen=True)
class SlaPolicy:
    """Targets in business seconds on `calendar` (None: wall clock, every hour of every day),
    for the contacts whose queue, channel and priority match every field the policy names."""

    id: int
    name: str
    queue_id: str | None = None
    channel: str | None = None
    priority: int | None = None
    targets: Mapping[Target, int] = field(default_factory=dict)
    calendar: Calendar | None = None
    warn_ratio: float = 0.8

    def __post_init__(self) -> None:
        for target, seconds in self.targets.items():
            if target not in TARGETS or seconds <= 0:
                raise ValueError(f"{target}: a target is a positive number of business seconds")
        if not 0 < self.warn_ratio < 1:
            raise ValueError("warn_ratio: between 0 and 1 (the share of the target)")

    def matches(self, queue_id: str | None, channel: str, priority: int | None) -> bool:
        return (
            (self.queue_id is None or self.queue_id == queue_id)
            and (self.channel is None or self.channel == channel)
            and (self.priority is None or self.priority == priority)
        )

    def specificity(self) -> tuple[int, int, int, int]:
        """Most fields named first; then queue over channel over priority; then lowest id."""
        named = (self.queue_id is not None, self.channel is not None, self.priority is not None)
        return (sum(named), int(named[0]), int(named[1]), int(named[2]))


def match(
    policies: Iterable[SlaPolicy], queue_id: str | None, channel: str, priority: int | None
) -> SlaPolicy | None:
    """The policy a contact falls under: of those matching, the most specific (see
    SlaPolicy.specificity); None when none matches."""
    found = [p for p in policies if p.matches(queue_id, channel, priority)]
    if not found:
        return None
    return max(found, key=lambda p: (*p.specificity(), -p.id))


@dataclass(frozen=True)
class SlaClock:
    """One target's clock on one contact: when it started, fell (or falls) due, was stopped."""

    target: Target
    policy_id: int
    started_at: float
    due_at: float
    warn_at: float
    stopped_at: float | None
    status: Status

    @property
    def breached_at(self) -> float | None:
        return self.due_at if self.status == "breached" else None


@dataclass(frozen=True)
class Event:
    """What the clocks read of an interaction event."""

    type: str
    at: float
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _Marks:
    """The instants the clocks start and stop at, from one contact's events."""

    created: float | None = None
    queued: float | None = None
    queue_id: str | None = None
    priority: int | None = None
    accepted: float | None = None
    message_in: float | None = None
    replied: float | None = None
    completed: float | None = None
    left: float | None = None

    def read(self, events: Sequence[Event]) -> _Marks:
        for e in events:
            if e.type == "created" and self.created is None:
                self.created = e.at
            elif e.type == "queued" and self.queued is None and e.data.get("queue_id") is not None:
                self.queued, self.queue_id = e.at, str(e.data["queue_id"])
                priority = e.data.get("priority")
                self.priority = priority if isinstance(priority, int) else None
            elif e.type == "accepted" and self.accepted is None:
                self.accepted = e.at
            elif e.type == "message_in" and self.message_in is None:
                self.message_in = e.at
            elif (
                e.type == "message_out"
                and self.message_in is not None
                and self.replied is None
                and e.data.get("by") in HUMAN_AUTHORS
            ):
                self.replied = e.at
            elif e.type == "completed" and self.completed is None:
                self.completed = e.at
            elif e.type in LEFT and self.left is None:
                self.left = e.at
        if self.created is None and events:
            self.created = events[0].at
        return self

    def span(self, target: Target) -> tuple[float | None, float | None, bool]:
        """(start, stop, whether the stop is the target being reached)."""
        ends = [t for t in (self.completed, self.left) if t is not None]
        end = min(ends) if ends else None
        if target == "answer":
            stop = self.accepted if self.accepted is not None else end
            return self.queued, stop, self.accepted is not None
        if target == "first_response":
            stop = self.replied if self.replied is not None else end
            return self.message_in, stop, self.replied is not None
        stop = self.completed if self.completed is not None else self.left
        return self.created, stop, self.completed is not None


def contact_key(events: Sequence[Event]) -> tuple[str | None, int | None]:
    """The queue and priority a contact is matched by: those of its first `queued` event."""
    marks = _Marks().read(events)
    return marks.queue_id, marks.priority


def clocks(
    events: Sequence[Event], channel: str, policies: Iterable[SlaPolicy], now: float
) -> list[SlaClock]:
    """Every target clock of one contact, from its events (in time order), as of `now`.

    The policy is matched on the contact's channel and its first `queued` event's queue and
    priority (none before it queues). A clock stopped by the target's event at or before its
    due time is met; stopped later, or still running at its due time, breached; stopped by the
    contact leaving (abandon, cancel, transfer out) before it fell due, closed (not counted).
    """
    marks = _Marks().read(events)
    policy = match(policies, marks.queue_id, channel, marks.priority)
    if policy is None:
        return []
    calendar = policy.calendar or Calendar.always_open()
    found = []
    for target in TARGETS:
        seconds = policy.targets.get(target)
        start, stop, reached = marks.span(target)
        if seconds is None or start is None:
            continue
        due = calendar.add_business_seconds(start, seconds)
        warn = calendar.add_business_seconds(start, math.ceil(seconds * policy.warn_ratio))
        status: Status
        if stop is not None and stop <= due:
            status = "met" if reached else "closed"
        elif stop is not None or now >= due:
            status = "breached"
        else:
            status = "running"
        found.append(SlaClock(target, policy.id, start, due, warn, stop, status))
    return found
