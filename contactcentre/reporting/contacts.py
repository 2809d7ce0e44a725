"""Contacts as the metric definitions take them: each interaction's events projected into one
ContactOutcome (how it left the queue, who handled it, its talk, hold and after-call work)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from contactcentre.reporting.ledger import LoggedEvent
from routing.metrics import ContactOutcome, Handling

ENDED = frozenset({"completed", "canceled", "transferred", "exited"})
_MILESTONES = frozenset(
    {"queued", "accepted", "answered", "held", "unheld", "wrap_up", "disposition"}
)
# What the rest of a contact's figures read: its arrival (and, for a callback, what it keeps),
# its messages (response times), its survey answers (CSAT, CES).
_DETAILS = frozenset({"created", "message_in", "message_out", "survey"})
CONTACT_TYPES = _MILESTONES | ENDED | _DETAILS
HUMAN_AUTHORS = frozenset({"agent", "supervisor"})
# A call's agent is connected when their leg is answered (the voice channel logs "answered");
# a chat's or an email's agent is with the customer as soon as they accept.
CONNECT_ON_ANSWER = frozenset({"voice"})


@dataclass
class _Details:
    """What a contact's figures beyond the queue read: arrival, replies, surveys, outcome."""

    arrived_at: float | None = None
    callback_for: str | None = None
    campaign_id: str | None = None
    responses: list[tuple[float, float]] = field(default_factory=list)
    waiting_since: float | None = None  # the customer's oldest message not yet answered
    csat: int | None = None
    ces: int | None = None
    transferred: bool = False
    disposition: str | None = None
    resolved: bool | None = None

    def apply(self, kind: str, at: float, data: dict[str, Any], accepted: bool) -> None:
        if kind == "created" and self.arrived_at is None:
            self.arrived_at = at
            self.callback_for = _text(data.get("callback_for"))
            self.campaign_id = _text(data.get("campaign_id"))
        elif kind == "message_in" and self.waiting_since is None:
            self.waiting_since = at
        elif kind == "message_out" and data.get("by") in HUMAN_AUTHORS:
            # A bot's reply answers nobody here: the customer still waits for a person.
            if self.waiting_since is not None:
                self.responses.append((self.waiting_since, at))
                self.waiting_since = None
        elif kind == "survey":
            self._survey(data)
        elif kind == "transferred" and accepted:
            self.transferred = True
        elif kind == "disposition":
            self.disposition = _text(data.get("code"))
            self.resolved = bool(data["resolved"]) if "resolved" in data else None

    def _survey(self, data: dict[str, Any]) -> None:
        score = data.get("score")
        if not isinstance(score, int) or isinstance(score, bool):
            return
        if data.get("kind") == "ces" or data.get("scale") == 7:
            self.ces = score if 1 <= score <= 7 else None
        else:
            self.csat = score if 1 <= score <= 5 else None


@dataclass
class _Contact:
    """What the events have said about one contact so far."""

    channel: str
    queue_id: str | None = None
    queued_at: float | None = None
    left: dict[str, float] = field(default_factory=dict)  # answered_at, abandoned_at or callback_at
    agent_id: str | None = None
    accepted_at: float | None = None
    connected_at: float | None = None
    ended_at: float | None = None
    holds: list[tuple[float, float]] = field(default_factory=list)
    hold_since: float | None = None
    wrap_up_ends_at: float | None = None
    disposed_at: float | None = None
    details: _Details = field(default_factory=_Details)

    def apply(self, kind: str, at: float, data: dict[str, Any]) -> None:
        agent = str(data["agent_id"]) if data.get("agent_id") is not None else None
        if kind in _DETAILS or kind in ("disposition", "transferred"):
            self.details.apply(kind, at, data, self.accepted_at is not None)
        if kind == "queued" and self._first_queued(data):
            self.queued_at, self.queue_id = at, str(data["queue_id"])
        elif kind == "accepted" and agent is not None:
            self._accepted(agent, at)
        elif kind == "answered" and self._talking() is False and agent in (None, self.agent_id):
            self.connected_at = at
        elif kind == "held" and data.get("role") == "customer" and self._talking():
            self.hold_since = self.hold_since if self.hold_since is not None else at
        elif kind == "unheld" and self.hold_since is not None:
            self.holds.append((self.hold_since, at))
            self.hold_since = None
        elif kind == "wrap_up" and data.get("ends_at") is not None:
            self.wrap_up_ends_at = float(data["ends_at"])
        elif kind == "disposition":
            self.disposed_at = at
        if kind in ENDED:
            self._ended(kind, at, data)

    def _first_queued(self, data: dict[str, Any]) -> bool:
        # Only the first visit to a queue in the period is measured; one begun before the
        # period (accepted already) is not, or its wait would run backwards.
        return self.queued_at is None and not self.left and data.get("queue_id") is not None

    def _accepted(self, agent: str, at: float) -> None:
        if not self.left:
            self.left["answered_at"] = at
        # A contact accepted again (after a transfer back to a queue) is the new agent's.
        self.agent_id, self.accepted_at, self.ended_at = agent, at, None
        self.connected_at = at if self.channel not in CONNECT_ON_ANSWER else None
        self.holds, self.hold_since = [], None

    def _talking(self) -> bool | None:
        """None before an accept or after the end; else whether the agent has connected."""
        if self.accepted_at is None or self.ended_at is not None:
            return None
        return self.connected_at is not None

    def _ended(self, kind: str, at: float, data: dict[str, Any]) -> None:
        if self.accepted_at is not None:
            if self.ended_at is None:
                self.ended_at = at
                if self.hold_since is not None:
                    self.holds.append((self.hold_since, at))
                    self.hold_since = None
            return
        if self.queued_at is None or self.left:
            return
        if kind == "canceled":
            self.left["abandoned_at"] = at
        elif kind == "exited" and data.get("exit") == "callback":
            self.left["callback_at"] = at

    def outcome(self, contact_id: str, customer_id: str | None = None) -> ContactOutcome:
        handling = self.handling()
        d = self.details
        first = d.responses[0] if d.responses else (None, None)
        return ContactOutcome(
            contact_id,
            arrived_at=d.arrived_at,
            customer_message_at=first[0],
            first_human_reply_at=first[1],
            responses=tuple(d.responses),
            csat=d.csat,
            ces=d.ces,
            transferred=d.transferred,
            disposition=d.disposition,
            resolved=d.resolved,
            customer_id=customer_id,
            callback_for=d.callback_for,
            campaign_id=d.campaign_id,
            queue_id=self.queue_id,
            channel=self.channel,
            agent_id=self.agent_id,
            queued_at=self.queued_at,
            ended_at=self.ended_at,
            talk_seconds=handling.talk_seconds if handling else 0.0,
            hold_seconds=handling.hold_seconds if handling else 0.0,
            acw_seconds=handling.acw_seconds if handling else 0.0,
            answered_at=self.left.get("answered_at"),
            abandoned_at=self.left.get("abandoned_at"),
            callback_at=self.left.get("callback_at"),
        )

    def handling(self) -> Handling | None:
        if self.accepted_at is None or self.ended_at is None:
            return None
        # A call that ended before the agent's leg was answered had no talk at all.
        connected = self.connected_at if self.connected_at is not None else self.ended_at
        acw_end = self.disposed_at if self.disposed_at is not None else self.wrap_up_ends_at
        return Handling(connected, self.ended_at, tuple(self.holds), acw_end)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def contact_outcomes(
    events: Iterable[LoggedEvent], *, every_contact: bool = False
) -> list[ContactOutcome]:
    """One outcome per contact with a queue or agent event among `events` (in time order);
    with `every_contact`, one for each contact with any of these events (IVR-only ones too)."""
    contacts: dict[str, _Contact] = {}
    customers: dict[str, str | None] = {}
    for event in events:
        if event.type not in CONTACT_TYPES:
            continue
        contact = contacts.setdefault(event.interaction_id, _Contact(event.channel))
        customers[event.interaction_id] = event.customer_id
        contact.apply(event.type, event.at, dict(event.data))
    return [
        c.outcome(contact_id, customers.get(contact_id))
        for contact_id, c in contacts.items()
        if every_contact or c.queued_at is not None or c.accepted_at is not None
    ]
