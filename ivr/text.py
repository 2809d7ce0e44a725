"""The same IVR flows as a chat bot: actions become chat messages with quick replies, and what
the customer types (a key such as "2" or a keyword) becomes the input the engine expects."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ivr.actions import (
    Action,
    Enqueue,
    Gather,
    Hangup,
    Play,
    RequestCallback,
    Say,
    Transfer,
    Voicemail,
)
from ivr.engine import Step
from ivr.inputs import CallerInput, Digits, NoInput, Speech
from ivr.prompts import normalise

ChatEvent = Literal["enqueued", "voicemail", "transfer", "callback", "ended"]

_NOTICES: dict[ChatEvent, dict[str, str]] = {
    "enqueued": {
        "en": "You are being connected to an agent.",
        "es": "Le estamos comunicando con un agente.",
    },
    "voicemail": {
        "en": "Please type your message and we will get back to you.",
        "es": "Escriba su mensaje y le responderemos.",
    },
    "transfer": {
        "en": "Please call us on {number}.",
        "es": "Llámenos al {number}.",
    },
    "callback": {
        "en": "We will call you back on {number}.",
        "es": "Le llamaremos al {number}.",
    },
    "ended": {"en": "This conversation has ended.", "es": "Esta conversación ha terminado."},
}


@dataclass(frozen=True)
class QuickReply:
    """A button: `label` is shown, `value` (the DTMF key) is sent back when tapped."""

    label: str
    value: str


@dataclass(frozen=True)
class ChatMessage:
    """One bot message; `event` marks hand-offs the chat layer must act on."""

    text: str
    quick_replies: tuple[QuickReply, ...] = ()
    media_url: str | None = None
    event: ChatEvent | None = None

    def __post_init__(self) -> None:
        if not self.text and self.media_url is None:
            raise ValueError("ChatMessage needs text or a media_url")


def render_chat(actions: Step | Sequence[Action], language: str = "en") -> list[ChatMessage]:
    """Chat messages for one step; `language` is used until a Say shows the caller's language."""
    messages: list[ChatMessage] = []
    for action in actions.actions if isinstance(actions, Step) else actions:
        if isinstance(action, Say | Gather):
            language = action.language
        messages.extend(_messages(action, language))
    return messages


def _messages(action: Action, language: str) -> list[ChatMessage]:
    messages: list[ChatMessage]
    match action:
        case Say():
            messages = [ChatMessage(action.text)]
        case Play():
            messages = [ChatMessage("", media_url=action.url)]
        case Gather():
            messages = _question(action)
        case Enqueue():
            messages = [_notice("enqueued", language)]
        case Voicemail():
            messages = [_notice("voicemail", language)]
        case Transfer():
            messages = [_notice("transfer", language, action.number)]
        case RequestCallback():
            # A booked slot was already confirmed by a Say; only "as soon as possible" needs words.
            messages = [] if action.slot_id else [_notice("callback", language, action.number)]
        case Hangup():
            messages = [_notice("ended", language)]
    return messages


def _notice(event: ChatEvent, language: str, number: str = "") -> ChatMessage:
    texts = _NOTICES[event]
    return ChatMessage(texts.get(language, texts["en"]).format(number=number), event=event)


def _question(gather: Gather) -> list[ChatMessage]:
    """The prompt, with the menu's options as quick replies on its last message."""
    messages = [m for prompt in gather.prompt for m in _messages(prompt, gather.language)]
    replies = tuple(QuickReply(_label(c.key, c.label), c.key) for c in gather.choices)
    if replies:
        last = messages.pop() if messages else ChatMessage("…")
        messages.append(ChatMessage(last.text, replies, last.media_url))
    return messages


def _label(key: str, label: str) -> str:
    return key if label == key else f"{key} · {label[:1].upper()}{label[1:]}"


def parse_chat_reply(text: str, gather: Gather | None) -> CallerInput:
    """Typed keys ("2"), a tapped quick reply or a keyword becomes the engine's input."""
    typed = text.strip()
    if not typed:
        return NoInput()
    compact = re.sub(r"[\s-]", "", typed)
    if re.fullmatch(r"[0-9*#]+", compact):
        return Digits(compact)
    if gather is not None:
        wanted = normalise(typed)
        for choice in gather.choices:
            label = normalise(choice.label)
            if wanted in (label, normalise(_label(choice.key, choice.label))):
                return Digits(choice.key)
    # Anything else goes through the engine's keyword matching, as if it had been said.
    return Speech(typed, confidence=1.0)
