"""What the IVR asks the channel to do: speak, play, gather, enqueue, record, transfer, hang up.
Actions are channel-neutral values; ivr/twiml.py renders them for calls and ivr/text.py for chat."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Scalar = str | int | float | bool
GatherKind = Literal["dtmf", "speech", "both"]

_DTMF_KEYS = frozenset("0123456789*#")
_PHONE = re.compile(r"^\+?[0-9]{3,15}$")


def _require_language(language: str) -> None:
    if not re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", language):
        raise ValueError(f"language must be a code like 'en' or 'es', got {language!r}")


@dataclass(frozen=True)
class Say:
    """Speak `text` in `language`; `voice` None lets the renderer pick its default for it."""

    text: str
    language: str
    voice: str | None = None

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("Say.text must not be empty")
        _require_language(self.language)


@dataclass(frozen=True)
class Play:
    """Play a recorded prompt from `url`."""

    url: str

    def __post_init__(self) -> None:
        if not self.url.strip():
            raise ValueError("Play.url must not be empty")


Prompt = Say | Play


@dataclass(frozen=True)
class Choice:
    """One menu option as the caller sees it: the key to press and the word to say or tap."""

    key: str
    label: str

    def __post_init__(self) -> None:
        if not self.key or any(ch not in _DTMF_KEYS for ch in self.key):
            raise ValueError(f"Choice.key must be DTMF keys (0-9, *, #), got {self.key!r}")


@dataclass(frozen=True)
class Gather:
    """Play `prompt` and wait for the caller; the answer goes back to the node `node_id`."""

    node_id: str
    kind: GatherKind
    language: str
    prompt: tuple[Prompt, ...] = ()
    num_digits: int | None = None
    timeout: int = 5
    finish_on_key: str = "#"
    hints: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("dtmf", "speech", "both"):
            raise ValueError(f"Gather.kind must be dtmf, speech or both, got {self.kind!r}")
        _require_language(self.language)
        if self.num_digits is not None and self.num_digits < 1:
            raise ValueError(f"Gather.num_digits must be at least 1, got {self.num_digits}")
        if not 1 <= self.timeout <= 60:
            raise ValueError(f"Gather.timeout must be 1-60 seconds, got {self.timeout}")
        if self.finish_on_key not in ("", *_DTMF_KEYS):
            raise ValueError(
                f"Gather.finish_on_key must be one key or '', got {self.finish_on_key!r}"
            )


@dataclass(frozen=True)
class Enqueue:
    """Hand the contact to routing; the app passes `attributes` and `priority` to the router."""

    attributes: Mapping[str, Scalar]
    priority: int = 0
    queue: str | None = None

    def __post_init__(self) -> None:
        if "intent" not in self.attributes:
            raise ValueError("Enqueue.attributes must carry an 'intent' for routing")
        object.__setattr__(self, "attributes", dict(self.attributes))


@dataclass(frozen=True)
class Voicemail:
    """Record a message from the caller, up to `max_length` seconds."""

    max_length: int = 120
    transcribe: bool = False
    finish_on_key: str = "#"

    def __post_init__(self) -> None:
        if not 1 <= self.max_length <= 14400:
            raise ValueError(f"Voicemail.max_length must be 1-14400 seconds, got {self.max_length}")


@dataclass(frozen=True)
class Transfer:
    """Connect the caller to an external number."""

    number: str
    caller_id: str | None = None

    def __post_init__(self) -> None:
        for name, value in (("number", self.number), ("caller_id", self.caller_id)):
            if value is not None and not _PHONE.match(value):
                raise ValueError(f"Transfer.{name} must be a phone number, got {value!r}")


@dataclass(frozen=True)
class RequestCallback:
    """Ask the app to call `number` back: at a booked `slot_start`, or as soon as possible."""

    number: str
    slot_id: str | None = None
    slot_start: datetime | None = None
    attributes: Mapping[str, Scalar] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.number.strip():
            raise ValueError("RequestCallback.number must not be empty")
        if (self.slot_id is None) != (self.slot_start is None):
            raise ValueError("RequestCallback needs both slot_id and slot_start, or neither")
        if self.slot_start is not None and self.slot_start.tzinfo is None:
            raise ValueError("RequestCallback.slot_start must be timezone-aware")
        object.__setattr__(self, "attributes", dict(self.attributes))


@dataclass(frozen=True)
class Hangup:
    """End the call (or the chat conversation)."""


Action = Say | Play | Gather | Enqueue | Voicemail | Transfer | RequestCallback | Hangup

#: Actions after which the IVR is done with the contact.
TERMINAL_ACTIONS = (Enqueue, Voicemail, Transfer, Hangup)
