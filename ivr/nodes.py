"""The typed model of a flow: one frozen dataclass per node type, and the Flow that holds them.
Every node lists its outgoing branches in `targets()`, which the validator walks as a graph."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ivr.actions import GatherKind, Scalar
from ivr.calendar import BusinessCalendar
from ivr.conditions import Condition
from ivr.prompts import LocalizedText


@dataclass(frozen=True)
class Retry:
    """How an input node reprompts: up to `max_attempts` tries, then the no-input/invalid branch."""

    no_input: str
    invalid: str
    max_attempts: int = 3
    timeout: int = 5
    no_input_prompt: LocalizedText | None = None
    invalid_prompt: LocalizedText | None = None


@dataclass(frozen=True)
class SayNode:
    id: str
    prompt: LocalizedText
    next: str
    multilingual: bool = False

    def targets(self) -> dict[str, str]:
        return {"next": self.next}


@dataclass(frozen=True)
class PlayNode:
    id: str
    url: LocalizedText
    next: str

    def targets(self) -> dict[str, str]:
        return {"next": self.next}


@dataclass(frozen=True)
class MenuOption:
    key: str
    next: str
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    set: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True)
class MenuNode:
    id: str
    prompt: LocalizedText
    options: tuple[MenuOption, ...]
    retry: Retry
    input: GatherKind = "both"
    multilingual: bool = False

    def targets(self) -> dict[str, str]:
        branches = {f"option {o.key}": o.next for o in self.options}
        return {**branches, "no_input": self.retry.no_input, "invalid": self.retry.invalid}


@dataclass(frozen=True)
class CollectNode:
    """Collect digits (or, with `format: email`, a typed email address) into `attribute`;
    `validate: customer_account` checks the customer record."""

    id: str
    prompt: LocalizedText
    attribute: str
    next: str
    retry: Retry
    min_length: int = 1
    max_length: int = 20
    pattern: str | None = None
    validate: str | None = None
    finish_on_key: str = "#"
    input: GatherKind = "dtmf"
    format: str = "digits"

    def targets(self) -> dict[str, str]:
        return {"next": self.next, "no_input": self.retry.no_input, "invalid": self.retry.invalid}


@dataclass(frozen=True)
class HoursNode:
    id: str
    calendar: BusinessCalendar
    open: str
    closed: str
    holiday: str

    def targets(self) -> dict[str, str]:
        return {"open": self.open, "closed": self.closed, "holiday": self.holiday}


@dataclass(frozen=True)
class IdentifyNode:
    id: str
    known: str
    unknown: str

    def targets(self) -> dict[str, str]:
        return {"known": self.known, "unknown": self.unknown}


@dataclass(frozen=True)
class BranchRule:
    conditions: tuple[Condition, ...]
    next: str


@dataclass(frozen=True)
class BranchNode:
    id: str
    rules: tuple[BranchRule, ...]
    default: str

    def targets(self) -> dict[str, str]:
        branches = {f"when {i + 1}": rule.next for i, rule in enumerate(self.rules)}
        return {**branches, "default": self.default}


@dataclass(frozen=True)
class SetNode:
    """Set attributes; `priority` is absolute ("5") or relative ("+2", "-1")."""

    id: str
    attributes: Mapping[str, Scalar]
    next: str
    priority: str | None = None

    def targets(self) -> dict[str, str]:
        return {"next": self.next}


@dataclass(frozen=True)
class SelfServiceNode:
    """Read out `balance` or `last_order` from the customer's account; `unavailable` if unknown."""

    id: str
    kind: str
    prompt: LocalizedText
    next: str
    unavailable: str

    def targets(self) -> dict[str, str]:
        return {"next": self.next, "unavailable": self.unavailable}


@dataclass(frozen=True)
class OrderStatusNode:
    """Read out the order whose number is in `number_attribute`, if this contact may see it
    (ivr/orders.py); `unavailable` otherwise, `exhausted` at the `max_failures`th miss."""

    id: str
    prompt: LocalizedText
    next: str
    unavailable: str
    exhausted: str
    number_attribute: str = "order_number"
    email_attribute: str = "order_email"
    max_failures: int = 3

    def targets(self) -> dict[str, str]:
        return {"next": self.next, "unavailable": self.unavailable, "exhausted": self.exhausted}


@dataclass(frozen=True)
class BookCallbackNode:
    """Offer callback slots ("for {slot}, press {key}"), book the chosen one, confirm it."""

    id: str
    intro: LocalizedText
    slot_prompt: LocalizedText
    confirm: LocalizedText
    next: str
    no_slots: str
    retry: Retry
    max_slots: int = 3

    def targets(self) -> dict[str, str]:
        return {
            "next": self.next,
            "no_slots": self.no_slots,
            "no_input": self.retry.no_input,
            "invalid": self.retry.invalid,
        }


@dataclass(frozen=True)
class EnqueueNode:
    id: str
    intent: str | None = None
    queue: str | None = None
    prompt: LocalizedText | None = None

    def targets(self) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class VoicemailNode:
    id: str
    prompt: LocalizedText
    max_length: int = 120
    transcribe: bool = True

    def targets(self) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class CallbackNode:
    """Request a callback to the caller's number as soon as possible."""

    id: str
    prompt: LocalizedText | None = None

    def targets(self) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class TransferNode:
    id: str
    number: str
    caller_id: str | None = None
    prompt: LocalizedText | None = None

    def targets(self) -> dict[str, str]:
        return {}


@dataclass(frozen=True)
class HangupNode:
    id: str
    prompt: LocalizedText | None = None

    def targets(self) -> dict[str, str]:
        return {}


Node = (
    SayNode
    | PlayNode
    | MenuNode
    | CollectNode
    | HoursNode
    | IdentifyNode
    | BranchNode
    | SetNode
    | SelfServiceNode
    | OrderStatusNode
    | BookCallbackNode
    | EnqueueNode
    | VoicemailNode
    | CallbackNode
    | TransferNode
    | HangupNode
)

#: Nodes that end the IVR part of a contact; every loop must be able to reach one.
TERMINAL_NODES = (EnqueueNode, VoicemailNode, CallbackNode, TransferNode, HangupNode)


@dataclass(frozen=True)
class Flow:
    """A validated flow: its nodes by id, where it starts, and its languages and voices."""

    id: str
    file: str
    start: str
    nodes: Mapping[str, Node]
    languages: tuple[str, ...]
    default_language: str
    voices: Mapping[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    min_confidence: float = 0.4
    messages: Mapping[str, LocalizedText] = field(default_factory=dict)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]
