"""Scripted far ends of calls: callers who follow steps, callees and agents who answer in a mode.

A party acts through a `Line` (hear prompts, press keys, speak, hang up) in its own thread, so a
test describes a caller's behaviour and then waits for the call's outcome.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from . import defaults
from .call import Call, PartyInput


class AnswerMode(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"
    FAX = "fax"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAIL = "fail"


@dataclass(frozen=True)
class Answer:
    """How a called party responds to ringing: the mode and how long it rings first."""

    mode: AnswerMode = AnswerMode.HUMAN
    ring_seconds: float = defaults.DEFAULT_RING_SECONDS

    def __post_init__(self) -> None:
        if self.ring_seconds < 0:
            raise ValueError(f"ring_seconds must be >= 0, got {self.ring_seconds!r}")


class Line:
    """The party's handle on its call leg; waits are in emulated seconds and end on hang-up."""

    def __init__(self, call: Call, hang_up: Callable[[str], None]) -> None:
        self.call = call
        self._hang_up = hang_up
        self._cursor = 0

    def wait(self, seconds: float) -> bool:
        """Stay silent for `seconds`; False if the call ended meanwhile."""
        c = self.call
        with c.cond:
            c.clock.wait_until(c.cond, lambda: c.is_over, seconds)
            return not c.is_over

    def wait_for_prompt(self, text: str | None = None, timeout: float = 120.0) -> bool:
        """Wait for a new <Say> containing `text` (any case), or any prompt; False on timeout."""
        c = self.call
        needle = (text or "").lower()

        def found() -> bool:
            for index in range(self._cursor, len(c.transcript)):
                entry = c.transcript[index]
                if (
                    entry.speaker == "app"
                    and entry.kind in ("say", "play")
                    and needle in entry.text.lower()
                ):
                    self._cursor = index + 1
                    return True
            return c.is_over

        with c.cond:
            return c.clock.wait_until(c.cond, found, timeout) and not c.is_over

    def wait_for_gather(self, kind: str = "dtmf", timeout: float = 120.0) -> bool:
        """Wait until the app listens for `kind` input ("dtmf" or "speech") or records."""
        c = self.call
        with c.cond:
            ok = c.clock.wait_until(
                c.cond, lambda: kind in c.gathering or c.recording or c.is_over, timeout
            )
            return ok and not c.is_over

    def press(self, digits: str) -> bool:
        """Press keys; they reach the app only while it gathers DTMF or records."""
        return self._input(PartyInput(digits=digits), "dtmf", "digits", digits)

    def say(self, words: str, confidence: float = 0.9, seconds: float = 0.0) -> bool:
        """Speak; words reach the app only while it gathers speech or records."""
        heard = self._input(
            PartyInput(speech=words, confidence=confidence, seconds=seconds),
            "speech",
            "speech",
            words,
        )
        if seconds > 0:
            self.wait(seconds)
        return heard

    def _input(self, item: PartyInput, kind: str, entry: str, text: str) -> bool:
        c = self.call
        with c.cond:
            if c.is_over:
                return False
            accepted = kind in c.gathering or c.recording
            c.record("party", entry, text, delivered="true" if accepted else "false")
            if accepted:
                c.inputs.append(item)
                c.cond.notify_all()
            return accepted

    def hang_up(self, reason: str = "party") -> None:
        self._hang_up(reason)

    def stay(self, max_seconds: float = defaults.MAX_CALL_SECONDS) -> None:
        """Stay on the line until the other side ends the call (or `max_seconds` pass)."""
        if self.wait(max_seconds):
            self.hang_up("party-timeout")

    @property
    def connected(self) -> bool:
        """Whether the leg has been bridged to someone (a Dial leg or a started conference)."""
        with self.call.cond:
            return self.call.ever_connected


class Party:
    """Base class: answers as `answer` says, then does nothing until the call ends."""

    answer: Answer = Answer()

    def run(self, line: Line) -> None:
        line.stay()


Step = Callable[[Line], bool]


class CallerScript(Party):
    """A customer following steps; with `patience`, abandons if no one answers in time.

    Built fluently: CallerScript(patience=30).wait_for_prompt("menu").press("1").stay()
    Without an explicit ending the caller stays until the app or the agent hangs up.
    """

    def __init__(self, patience: float | None = None, answer: Answer | None = None) -> None:
        self.patience = patience
        self.answer = answer or Answer()
        self.steps: list[Step] = []

    def _add(self, step: Step) -> Self:
        self.steps.append(step)
        return self

    def wait_for_prompt(self, text: str | None = None, timeout: float = 120.0) -> Self:
        return self._add(lambda line: line.wait_for_prompt(text, timeout))

    def press(self, digits: str, timeout: float = 120.0) -> Self:
        return self._add(lambda line: line.wait_for_gather("dtmf", timeout) and line.press(digits))

    def say(self, words: str, confidence: float = 0.9, timeout: float = 120.0) -> Self:
        return self._add(
            lambda line: line.wait_for_gather("speech", timeout) and line.say(words, confidence)
        )

    def leave_message(self, words: str, seconds: float = 3.0, timeout: float = 120.0) -> Self:
        """Wait for a <Record> and talk into it for `seconds`."""
        return self._add(
            lambda line: line.wait_for_gather("record", timeout) and line.say(words, 1.0, seconds)
        )

    def wait(self, seconds: float) -> Self:
        return self._add(lambda line: line.wait(seconds))

    def hang_up(self) -> Self:
        def hang_up(line: Line) -> bool:
            line.hang_up("caller")
            return False

        return self._add(hang_up)

    def stay(self, max_seconds: float = defaults.MAX_CALL_SECONDS) -> Self:
        def stay(line: Line) -> bool:
            line.stay(max_seconds)
            return False

        return self._add(stay)

    def run(self, line: Line) -> None:
        if self.patience is not None:
            threading.Thread(
                target=_abandon_when_impatient,
                args=(line, self.patience),
                daemon=True,
                name=f"patience-{line.call.sid[:10]}",
            ).start()
        for step in self.steps:
            if not step(line):
                return
        line.stay()


def _abandon_when_impatient(line: Line, patience: float) -> None:
    c = line.call
    with c.cond:
        c.clock.wait_until(c.cond, lambda: c.ever_connected or c.is_over, patience)
        give_up = not c.ever_connected and not c.is_over
        if give_up:
            c.record("party", "abandon", f"gave up after {patience:g} s")
    if give_up:
        line.hang_up("abandoned")


class Callee(Party):
    """Someone (or something) called by the app: a person, an answering machine, busy, ...

    A person says `greeting` and stays (or hangs up after `talk_seconds`); a machine plays its
    greeting then a beep and waits for a message.
    """

    def __init__(
        self,
        mode: AnswerMode | str = AnswerMode.HUMAN,
        ring_seconds: float = defaults.DEFAULT_RING_SECONDS,
        greeting: str | None = "Hello?",
        talk_seconds: float | None = None,
    ) -> None:
        self.answer = Answer(AnswerMode(mode), ring_seconds)
        self.greeting = greeting
        self.talk_seconds = talk_seconds

    def run(self, line: Line) -> None:
        if self.answer.mode is AnswerMode.MACHINE:
            line.say("Hi, you have reached voicemail. Please leave a message after the tone.")
            line.wait(defaults.MACHINE_GREETING_SECONDS)
            with line.call.cond:
                line.call.record("party", "beep", "machine beep")
        elif self.answer.mode is AnswerMode.HUMAN and self.greeting:
            line.say(self.greeting)
        if self.talk_seconds is not None:
            if line.wait(self.talk_seconds):
                line.hang_up("callee")
            return
        line.stay()


class AgentScript(Callee):
    """An agent's phone or softphone ("client:agent_42"): answers after a delay, talks, hangs up."""

    def __init__(self, answer_after: float = 1.0, talk_seconds: float | None = None) -> None:
        super().__init__(AnswerMode.HUMAN, answer_after, greeting=None, talk_seconds=talk_seconds)
