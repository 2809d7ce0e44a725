"""Fixtures for the emulator tests: a small signed-webhook app under test and a fast emulator.

The app validates every request's X-Twilio-Signature with twilio's RequestValidator and records
what it received, so tests assert on the wire protocol, not on emulator internals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

from contactcentre.telephony.emulator import Emulator, ServerThread, WebhookPolicy

from .account import ACCOUNT_SID, AUTH_TOKEN, NUMBER

TIME_SCALE = 40.0

Handler = Callable[[dict[str, str]], Any]


@dataclass(frozen=True)
class Received:
    path: str
    method: str
    params: dict[str, str]
    signature_valid: bool
    headers: dict[str, str]


class AppUnderTest:
    """A Flask app on a loopback port that answers webhooks with per-path handlers."""

    def __init__(self, auth_token: str) -> None:
        self.validator = RequestValidator(auth_token)
        self.handlers: dict[str, Handler] = {}
        self.received: list[Received] = []
        self.cond = threading.Condition()
        app = Flask("app_under_test")

        @app.route("/<path:path>", methods=["GET", "POST"])
        def webhook(path: str) -> Any:
            params = request.form.to_dict() if request.method == "POST" else {}
            if request.method == "GET":
                params = request.args.to_dict()
            valid = self.validator.validate(
                request.url,
                request.form if request.method == "POST" else {},
                request.headers.get("X-Twilio-Signature", ""),
            )
            with self.cond:
                self.received.append(
                    Received("/" + path, request.method, params, valid, dict(request.headers))
                )
                self.cond.notify_all()
            handler = self.handlers.get("/" + path)
            if handler is None:
                return Response("", 204)
            result = handler(params)
            if isinstance(result, Response):
                return result
            return Response(str(result), mimetype="text/xml")

        self.server = ServerThread(app)

    def url(self, path: str) -> str:
        return self.server.url + path

    def route(self, path: str, handler: Handler) -> None:
        self.handlers[path] = handler

    def requests(self, path: str | None = None) -> list[Received]:
        with self.cond:
            return [r for r in self.received if path is None or r.path == path]

    def wait_for(
        self,
        path: str,
        predicate: Callable[[Received], bool] = lambda r: True,
        timeout: float = 5.0,
    ) -> Received:
        """The first request to `path` satisfying predicate, waiting for it if needed."""

        def match() -> Received | None:
            return next((r for r in self.received if r.path == path and predicate(r)), None)

        with self.cond:
            if not self.cond.wait_for(lambda: match() is not None, timeout=timeout):
                seen = [
                    (r.path, r.params.get("StatusCallbackEvent") or r.params.get("CallStatus"))
                    for r in self.received
                ]
                raise AssertionError(f"no matching request to {path}; received {seen}")
            found = match()
            assert found is not None
            return found


@pytest.fixture
def app_under_test() -> Iterator[AppUnderTest]:
    app = AppUnderTest(AUTH_TOKEN)
    app.server.start()
    yield app
    app.server.stop()


@pytest.fixture
def policy() -> WebhookPolicy:
    return WebhookPolicy()


@pytest.fixture
def emulator(app_under_test: AppUnderTest, policy: WebhookPolicy) -> Iterator[Emulator]:
    with Emulator(
        ACCOUNT_SID,
        AUTH_TOKEN,
        time_scale=TIME_SCALE,
        webhook_policy=policy,
        api_keys={"SK" + "a" * 32: "key-secret"},
    ) as emu:
        emu.configure_number(
            NUMBER, app_under_test.url("/voice"), status_callback=app_under_test.url("/status")
        )
        yield emu
