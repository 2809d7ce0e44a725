"""What the caller did in answer to a Gather: pressed keys, spoke, stayed silent, or hung up.
Also the facts known when the call arrives (caller number, time, channel) that start a session."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ivr.actions import Scalar


@dataclass(frozen=True)
class Digits:
    """Keys pressed on the keypad (or typed in chat), without the finish key."""

    digits: str

    def __post_init__(self) -> None:
        if any(ch not in "0123456789*#" for ch in self.digits):
            raise ValueError(f"Digits must be DTMF keys (0-9, *, #), got {self.digits!r}")

    def describe(self) -> str:
        return f"dtmf:{self.digits}"


@dataclass(frozen=True)
class Speech:
    """What the speech recogniser heard, with its confidence between 0 and 1."""

    text: str
    confidence: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"Speech.confidence must be between 0 and 1, got {self.confidence}")

    def describe(self) -> str:
        return f"speech:{self.text}"


@dataclass(frozen=True)
class NoInput:
    """The Gather timed out with nothing pressed or said."""

    def describe(self) -> str:
        return "no-input"


@dataclass(frozen=True)
class CallerHangup:
    """The caller hung up (or closed the chat) while the IVR was waiting."""

    def describe(self) -> str:
        return "hangup"


CallerInput = Digits | Speech | NoInput | CallerHangup

Channel = Literal["voice", "chat"]


@dataclass(frozen=True)
class SessionInputs:
    """Facts known when the contact arrives; `now` is passed in, the engine never reads a clock."""

    caller_number: str
    now: datetime
    called_number: str | None = None
    channel: Channel = "voice"
    language: str | None = None
    attributes: Mapping[str, Scalar] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("SessionInputs.now must be timezone-aware")
        object.__setattr__(self, "attributes", dict(self.attributes))
