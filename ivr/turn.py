"""One engine turn: the flow, the ports, the caller's session and the time, handed to every node
handler; and the Transition a handler returns (go on to a node, wait for the caller, or finish)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ivr.actions import Action, Say, Scalar
from ivr.customers import CustomerDirectory
from ivr.nodes import Flow
from ivr.prompts import LocalizedText
from ivr.selfservice import AccountService, CallbackScheduler
from ivr.session import CallSession


@dataclass(frozen=True)
class Ports:
    """The back-office ports a flow may use; the app wires adapters, tests wire fakes."""

    customers: CustomerDirectory
    accounts: AccountService
    callbacks: CallbackScheduler


@dataclass
class Transition:
    """What a node handler decided: `goto` another node, `wait` for input here, or `end`."""

    actions: list[Action] = field(default_factory=list)
    goto: str | None = None
    wait: bool = False
    end: bool = False

    def __post_init__(self) -> None:
        if [self.goto is not None, self.wait, self.end].count(True) != 1:
            raise ValueError("a Transition must do exactly one of goto, wait or end")


@dataclass
class Turn:
    flow: Flow
    ports: Ports
    session: CallSession
    now: datetime

    @property
    def language(self) -> str:
        return self.session.language

    def voice(self, language: str) -> str | None:
        return self.flow.voices.get(language)

    def say(
        self, text: LocalizedText, extra: Mapping[str, Scalar] | None = None, language: str = ""
    ) -> Say:
        """`text` in the caller's language (or `language`) with session attributes filled in."""
        lang = language or self.language
        values: dict[str, Scalar | None] = {**self.session.attributes, **(extra or {})}
        rendered = text.render(lang, values, fallback=self.flow.default_language)
        return Say(rendered, lang, self.voice(lang))

    def say_all(self, text: LocalizedText) -> list[Say]:
        """The text once per flow language, each in its own voice (e.g. the language menu)."""
        return [self.say(text, language=lang) for lang in self.flow.languages]

    def message(self, name: str) -> LocalizedText:
        return self.flow.messages[name]
