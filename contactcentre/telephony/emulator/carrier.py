"""The emulated carrier: numbers, parties, calls, conferences, queues and recordings of one account.

It is the object tests and the REST API talk to: place inbound calls, create outbound ones,
redirect or hang up live calls, and wait for outcomes.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import defaults, sids
from .call import Call, CallStatus, Direction, Redirect
from .calllog import CallLog
from .clock import Clock
from .conference import ConferenceBook
from .dispatcher import CallbackDispatcher
from .exceptions import RestError, WaitTimeout
from .interpreter import Interpreter, Next
from .legs import Amd, Program, start_leg
from .parties import Callee, Party
from .queues import QueueBook
from .recordings import RecordingBook
from .rest_delays import RestDelays
from .webhooks import WebhookClient, WebhookPolicy

PartySource = Party | Callable[[], Party]
CALL_EVENTS = frozenset({"initiated", "ringing", "answered", "completed"})


@dataclass(frozen=True)
class NumberConfig:
    """A phone number of the account and where its incoming calls go (Twilio's voice URL)."""

    number: str
    voice_url: str
    voice_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"


class Carrier:
    """One emulated Twilio account with its phone network."""

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        time_scale: float = 1.0,
        webhook_policy: WebhookPolicy | None = None,
        api_keys: dict[str, str] | None = None,
    ) -> None:
        self.account_sid = account_sid or sids.new_sid(sids.ACCOUNT)
        self.auth_token = auth_token or secrets.token_hex(16)
        self.api_keys = dict(api_keys or {})
        self.cond = threading.Condition(threading.RLock())
        self.clock = Clock(time_scale)
        self.log = CallLog()
        self.webhooks = WebhookClient(
            self.auth_token, self.log, self.clock, webhook_policy or WebhookPolicy()
        )
        self.callbacks = CallbackDispatcher(self.webhooks)
        self.conferences = ConferenceBook(self)
        self.queues = QueueBook(self)
        self.recordings = RecordingBook(self)
        self.rest_delays = RestDelays()  # answers held on purpose (see rest_delays)
        self.media_base_url = "http://127.0.0.1"  # replaced by the REST server's URL when it starts
        self.calls: dict[str, Call] = {}
        self.numbers: dict[str, NumberConfig] = {}
        self._parties: dict[str, PartySource] = {}
        self.default_party: Callable[[], Party] = Callee
        self._threads: list[threading.Thread] = []

    # -- configuration ----------------------------------------------------------------------
    def configure_number(
        self,
        number: str,
        voice_url: str,
        voice_method: str = "POST",
        status_callback: str | None = None,
        status_callback_method: str = "POST",
    ) -> NumberConfig:
        """Route incoming calls for `number` to the app's `voice_url`."""
        config = NumberConfig(
            number, voice_url, voice_method.upper(), status_callback, status_callback_method.upper()
        )
        with self.cond:
            self.numbers[number] = config
        return config

    def register_party(self, address: str, party: PartySource) -> None:
        """Who answers when the app calls `address` ("+1555..." or "client:agent_42")."""
        with self.cond:
            self._parties[address] = party

    def party_for(self, address: str) -> Party:
        with self.cond:
            source = self._parties.get(address)
        if source is None:
            return self.default_party()
        return source if isinstance(source, Party) else source()

    # -- calls ------------------------------------------------------------------------------
    def new_call(self, from_: str, to: str, direction: Direction, **fields: object) -> Call:
        call = Call(
            sid=sids.new_sid(sids.CALL),
            account_sid=self.account_sid,
            from_=from_,
            to=to,
            direction=direction,
            created_at=self.clock.now(),
            created_elapsed=self.clock.elapsed(),
            cond=self.cond,
            clock=self.clock,
            **fields,  # type: ignore[arg-type]
        )
        call.date_updated = call.created_at
        with self.cond:
            self.calls[call.sid] = call
            self.cond.notify_all()
        return call

    def get_call(self, sid: str) -> Call | None:
        with self.cond:
            return self.calls.get(sid)

    def list_calls(self) -> list[Call]:
        with self.cond:
            return sorted(self.calls.values(), key=lambda c: c.created_elapsed, reverse=True)

    def twiml_program(
        self, url: str | None, method: str = "POST", twiml: str | None = None
    ) -> Program:
        return lambda call: Interpreter(self, call, url).run(Next(url, method, {}, twiml))

    def place_call(
        self, from_: str, to: str, party: Party | None = None, caller_name: str | None = None
    ) -> Call:
        """A (scripted) person calls one of the account's numbers: Twilio's inbound call."""
        with self.cond:
            config = self.numbers.get(to)
        if config is None:
            raise ValueError(
                f"{to} is not configured; call configure_number({to!r}, voice_url=...)"
            )
        call = self.new_call(
            from_,
            to,
            Direction.INBOUND,
            status=CallStatus.RINGING,
            url=config.voice_url,
            method=config.voice_method,
            status_callback=config.status_callback,
            status_callback_method=config.status_callback_method,
            caller_name=caller_name,
        )
        start_leg(
            self, call, party or Party(), self.twiml_program(config.voice_url, config.voice_method)
        )
        return call

    def create_call(
        self,
        *,
        to: str,
        from_: str,
        url: str | None = None,
        twiml: str | None = None,
        method: str = "POST",
        status_callback: str | None = None,
        status_callback_events: Iterable[str] = (),
        status_callback_method: str = "POST",
        timeout: float = defaults.OUTBOUND_RING_TIMEOUT,
        amd: Amd | None = None,
        record: bool = False,
        recording_status_callback: str | None = None,
        program: Program | None = None,
        parent_call_sid: str | None = None,
        direction: Direction = Direction.OUTBOUND_API,
    ) -> Call:
        """An outbound call (REST Calls create, a Participant, or a <Dial> leg)."""
        events = frozenset(status_callback_events) or frozenset({"completed"})
        unknown = events - CALL_EVENTS
        if unknown:
            raise RestError(
                400,
                defaults.ERR_INVALID_PARAM,
                f"StatusCallbackEvent {sorted(unknown)} is not one of {sorted(CALL_EVENTS)}",
            )
        call = self.new_call(
            from_,
            to,
            direction,
            url=url,
            method=method.upper(),
            twiml=twiml,
            status_callback=status_callback,
            status_callback_method=status_callback_method.upper(),
            status_callback_events=events,
            record_call=record,
            recording_status_callback=recording_status_callback,
            parent_call_sid=parent_call_sid,
        )
        start_leg(
            self,
            call,
            self.party_for(to),
            program or self.twiml_program(url, method.upper(), twiml),
            ring_timeout=timeout,
            amd=amd,
        )
        return call

    def update_call(
        self,
        sid: str,
        *,
        url: str | None = None,
        method: str = "POST",
        twiml: str | None = None,
        status: str | None = None,
    ) -> Call:
        """REST Calls update: redirect a live call to new TwiML, or end it."""
        call = self.get_call(sid)
        if call is None:
            raise RestError(404, defaults.ERR_NOT_FOUND, f"Call {sid} was not found")
        with self.cond:
            if call.is_over:
                raise RestError(
                    400,
                    defaults.ERR_CALL_NOT_IN_PROGRESS,
                    "Call is not in-progress. Cannot redirect.",
                )
            if status in ("completed", "canceled"):
                # canceled only ends calls that are not yet answered; completed ends any call
                if status == "completed" or call.status in (CallStatus.QUEUED, CallStatus.RINGING):
                    call.hangup_requested = call.hangup_requested or f"api-{status}"
            elif url or twiml:
                call.redirect = Redirect(url, method.upper(), twiml)
            call.date_updated = self.clock.now()
            self.cond.notify_all()
        return call

    def hang_up(self, sid: str, reason: str = "party") -> None:
        call = self.get_call(sid)
        if call is None:
            return
        with self.cond:
            if not call.is_over and call.hangup_requested is None:
                call.hangup_requested = reason
            self.cond.notify_all()

    # -- waiting and shutdown ---------------------------------------------------------------
    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Block until predicate() holds (re-checked on every change, and every 20 ms for
        state outside the carrier, such as what the app under test received)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WaitTimeout(f"timed out after {timeout} s waiting for {what}")
                self.cond.wait(min(left, 0.02))

    def track(self, thread: threading.Thread) -> None:
        with self.cond:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Hang up every live call, wait for the legs to finish and flush callbacks."""
        with self.cond:
            for call in self.calls.values():
                if not call.is_over and call.hangup_requested is None:
                    call.hangup_requested = "shutdown"
            self.cond.notify_all()
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.callbacks.drain(max(0.1, deadline - time.monotonic()))
        self.callbacks.close()
