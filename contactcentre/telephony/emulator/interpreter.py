"""The TwiML interpreter: fetches the app's documents for one call leg and executes their verbs.

Simple verbs live here; input verbs (Gather, Record), Dial and Enqueue have their own modules.
Every wait is interruptible, so a hang-up or a REST redirect takes effect at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import defaults
from .call import Call, CallStatus, Direction, Redirect
from .calllog import LogEntry
from .exceptions import TwimlError
from .params import call_params
from .twiml import Verb, parse
from .webhooks import resolve

if TYPE_CHECKING:
    from .carrier import Carrier


@dataclass(frozen=True)
class Next:
    """Where the call goes next: a URL to request (with extra params) or inline TwiML."""

    url: str | None = None
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)
    twiml: str | None = None


@dataclass(frozen=True)
class Signal:
    """Sentinel outcomes: the verb hung up, or asked to leave the queue (<Leave>)."""

    name: str


HANGUP = Signal("hangup")
LEAVE = Signal("leave")
Outcome = Next | Signal | None
Handler = Callable[["Interpreter", Verb], Outcome]


class Interpreter:
    """Runs TwiML on one call until it hangs up, is redirected away or the document ends."""

    def __init__(self, carrier: Carrier, call: Call, doc_url: str | None = None) -> None:
        self.carrier = carrier
        self.call = call
        self.doc_url = doc_url or call.url or ""
        # Extra stop condition for documents that play "until" something (queue wait, hold music).
        self.stop_when: Callable[[], bool] | None = None

    # -- waiting ----------------------------------------------------------------------------
    def sleep(self, seconds: float, stop: Callable[[], bool] | None = None) -> bool:
        """Let `seconds` of emulated time pass; False if interrupted (or `stop()` became true)."""
        c = self.call
        with c.cond:
            return not self.carrier.clock.wait_until(
                c.cond, lambda: self.stopped() or (stop is not None and stop()), seconds
            )

    def stopped(self) -> bool:
        return self.call.interrupted or (self.stop_when is not None and self.stop_when())

    @property
    def redirect_pending(self) -> bool:
        """A REST update is waiting to replace the current document (and no hang-up is)."""
        with self.call.cond:
            return self.call.redirect is not None and self.call.hangup_requested is None

    @property
    def interrupted(self) -> bool:
        with self.call.cond:
            return self.stopped()

    # -- documents --------------------------------------------------------------------------
    def run(self, start: Next | Redirect) -> None:
        """Execute documents until the call ends; REST redirects replace the current one."""
        source: Next | None = (
            start if isinstance(start, Next) else Next(start.url, start.method, {}, start.twiml)
        )
        while source is not None:
            verbs = self.load(source)
            if verbs is None:
                return
            outcome = self.execute(verbs)
            source = self.take_redirect() or (outcome if isinstance(outcome, Next) else None)
            if source is None:
                self.hang_up("twiml")
                return

    def take_redirect(self) -> Next | None:
        """A pending REST redirect, consumed; None if there is none or the call is hanging up."""
        c = self.call
        with c.cond:
            if c.hangup_requested or c.is_over or c.redirect is None:
                return None
            r, c.redirect = c.redirect, None
            return Next(r.url, r.method, {}, r.twiml)

    def request(
        self,
        url: str,
        method: str = "POST",
        extra: dict[str, str] | None = None,
        purpose: str = "voice",
        fatal: bool = True,
    ) -> tuple[str, str] | None:
        """POST (or GET) to the app; returns (body, content type), or None after a failure
        (which, when `fatal`, the caller hears as an application error)."""
        target = resolve(self.doc_url, url)
        with self.call.cond:
            params = call_params(self.call)
        params.update(extra or {})
        result = self.carrier.webhooks.send(target, params, method, self.call.sid, purpose)
        if not result.ok:
            if not fatal:
                self.carrier.log.add(
                    LogEntry(
                        self.carrier.clock.now(),
                        "warning",
                        self.call.sid,
                        {"url": target, "error": result.error},
                    )
                )
                return None
            self.application_error(
                result.error_code or defaults.ERR_HTTP_RETRIEVAL, f"{target}: {result.error}"
            )
            return None
        return result.body, result.content_type

    def load(self, source: Next) -> list[Verb] | None:
        """Fetch and parse a document; on any failure the caller hears the application error."""
        if source.twiml is not None:
            body, content_type = source.twiml, "text/xml"
        else:
            answer = self.request(source.url or self.doc_url, source.method, source.params)
            if answer is None:
                return None
            body, content_type = answer
            self.doc_url = resolve(self.doc_url, source.url or self.doc_url)
        try:
            return parse(body, content_type)
        except TwimlError as exc:
            self.application_error(exc.code, exc.message)
            return None

    def execute(self, verbs: list[Verb], allowed: frozenset[str] | None = None) -> Outcome:
        """Run verbs in order; returns the first outcome that leaves this document."""
        from .verbs import HANDLERS  # the verb table imports this module

        for verb in verbs:
            if self.interrupted:
                return None
            if allowed is not None and verb.name not in allowed:
                self.application_error(defaults.ERR_SCHEMA, f"<{verb.name}> is not allowed here")
                return HANGUP
            if verb.name != "Reject":
                self.answer()
            try:
                outcome = HANDLERS[verb.name](self, verb)
            except TwimlError as exc:
                self.application_error(exc.code, exc.message)
                return HANGUP
            if outcome is not None:
                return outcome
        return None

    # -- call control -----------------------------------------------------------------------
    def answer(self) -> None:
        """Inbound calls are answered by the first verb that is not <Reject>."""
        c = self.call
        with c.cond:
            if c.direction is Direction.INBOUND and c.status in (
                CallStatus.QUEUED,
                CallStatus.RINGING,
            ):
                c.status = CallStatus.IN_PROGRESS
                c.start_time = self.carrier.clock.now()
                c.start_elapsed = self.carrier.clock.elapsed()
                c.cond.notify_all()

    def hang_up(self, reason: str) -> None:
        with self.call.cond:
            if self.call.hangup_requested is None:
                self.call.hangup_requested = reason
            self.call.cond.notify_all()

    def application_error(self, code: int, message: str) -> None:
        """What Twilio does when the app fails: log it, say the error message, hang up."""
        c = self.call
        self.carrier.log.add(
            LogEntry(
                self.carrier.clock.now(),
                "application-error",
                c.sid,
                {"code": code, "message": message},
            )
        )
        with c.cond:
            c.errors.append(f"{code}: {message}")
            c.record("carrier", "error", defaults.APPLICATION_ERROR_TEXT, code=str(code))
        self.answer()
        self.sleep(defaults.SAY_SECONDS_PER_WORD * len(defaults.APPLICATION_ERROR_TEXT.split()))
        self.hang_up("application-error")

    def say(
        self,
        text: str,
        voice: str = "",
        language: str = "",
        loop: int = 1,
        stop: Callable[[], bool] | None = None,
    ) -> bool:
        """Speak `text` (recorded in the transcript); False if interrupted."""
        loops = loop if loop > 0 else 1000  # loop="0" repeats until something interrupts it
        for _ in range(loops):
            with self.call.cond:
                self.call.record("app", "say", text, voice=voice, language=language)
            if not self.sleep(defaults.SAY_SECONDS_PER_WORD * max(1, len(text.split())), stop):
                return False
        return True
