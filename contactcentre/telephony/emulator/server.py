"""The `Emulator`: a carrier plus its REST API on a real loopback HTTP server, in one object.

Tests and the demo use it as a context manager: start, configure numbers and parties, place or
create calls, wait for outcomes, stop (which hangs up whatever is still live).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .call import Call
from .calllog import CallLog
from .carrier import Carrier, NumberConfig, PartySource
from .conference import Conference
from .parties import Party
from .rest import create_rest_app
from .rest_delays import HeldRequest, RestDelay
from .webhooks import WebhookPolicy


class _QuietHandler(WSGIRequestHandler):
    """Request handler that does not print an access-log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class ServerThread:
    """A threaded werkzeug server for a WSGI app on 127.0.0.1 (port 0 picks a free one)."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_QuietHandler
        )
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={
                "poll_interval": 0.05
            },  # shutdown() waits up to one poll interval name="wsgi-server", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class Emulator:
    """A local stand-in for Twilio: one account, its phone network, and api.twilio.com."""

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        time_scale: float = 1.0,
        webhook_policy: WebhookPolicy | None = None,
        api_keys: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.carrier = Carrier(account_sid, auth_token, time_scale, webhook_policy, api_keys)
        self._host, self._port = host, port
        self._server: ServerThread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> Self:
        self._server = ServerThread(create_rest_app(self.carrier), self._host, self._port).start()
        self.carrier.media_base_url = self._server.url
        return self

    def stop(self) -> None:
        self.carrier.shutdown()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Where the REST API listens, e.g. http://127.0.0.1:54321."""
        if self._server is None:
            raise RuntimeError("the emulator is not started; call start() first")
        return self._server.url

    # -- the account ------------------------------------------------------------------------
    @property
    def account_sid(self) -> str:
        return self.carrier.account_sid

    @property
    def auth_token(self) -> str:
        return self.carrier.auth_token

    @property
    def log(self) -> CallLog:
        return self.carrier.log

    @property
    def webhook_policy(self) -> WebhookPolicy:
        return self.carrier.webhooks.policy

    def configure_number(
        self, number: str, voice_url: str, method: str = "POST", status_callback: str | None = None
    ) -> NumberConfig:
        return self.carrier.configure_number(number, voice_url, method, status_callback)

    def register_party(self, address: str, party: PartySource) -> None:
        self.carrier.register_party(address, party)

    def delay_rest(
        self,
        method: str,
        path_suffix: str,
        seconds: float,
        on_hold: Callable[[HeldRequest], None] | None = None,
    ) -> RestDelay:
        """Act on matching REST requests at once but answer them `seconds` later; `on_hold`
        is told of each one held. Undo with `undelay_rest(the returned delay)`."""
        return self.carrier.rest_delays.add(RestDelay(method, path_suffix, seconds, on_hold))

    def undelay_rest(self, delay: RestDelay) -> None:
        self.carrier.rest_delays.remove(delay)

    # -- calls ------------------------------------------------------------------------------
    def place_call(
        self, from_: str, to: str, party: Party | None = None, caller_name: str | None = None
    ) -> Call:
        """An inbound call from `from_` to one of the configured numbers, played by `party`."""
        return self.carrier.place_call(from_, to, party, caller_name)

    def call(self, sid: str) -> Call:
        call = self.carrier.get_call(sid)
        if call is None:
            raise KeyError(f"no call {sid}")
        return call

    def calls(self) -> list[Call]:
        return self.carrier.list_calls()

    def children_of(self, call: Call) -> list[Call]:
        return [c for c in self.carrier.list_calls() if c.parent_call_sid == call.sid]

    def conference(self, name_or_sid: str) -> Conference | None:
        return self.carrier.conferences.get(name_or_sid)

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition"
    ) -> None:
        self.carrier.wait_for(predicate, timeout, what)

    def drain_callbacks(self, timeout: float = 5.0) -> bool:
        """Wait until every queued status callback has been delivered."""
        return self.carrier.callbacks.drain(timeout)
