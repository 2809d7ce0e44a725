"""The webhook client: signed application/x-www-form-urlencoded requests to the app, like Twilio's.

Signatures come from twilio's own RequestValidator, so they validate exactly as real ones do.
Retries and duplicate deliveries are configurable to test the app's idempotency.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

import requests
from twilio.request_validator import RequestValidator

from . import defaults
from .calllog import CallLog, LogEntry
from .clock import Clock


@dataclass
class WebhookPolicy:
    """How the emulator delivers webhooks.

    duplicates: extra identical deliveries of every webhook (same body, signature and idempotency
    token), as when Twilio times out waiting for a response that the app did in fact process.
    retries: re-sends after a failure (connection error, timeout, 5xx), like the `rc` override.
    lose: purposes ("conference-status", "status-completed", "voice", ...) whose webhooks never
    reach the app, as when the process that would have answered them dies; set and cleared
    while calls run.
    """

    timeout: float = defaults.WEBHOOK_TIMEOUT_SECONDS
    retries: int = 0
    duplicates: int = 0
    lose: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"webhook timeout must be positive, got {self.timeout!r}")
        if self.retries < 0 or self.duplicates < 0:
            raise ValueError("webhook retries and duplicates must be >= 0")


@dataclass(frozen=True)
class WebhookResult:
    """What the app answered; `error_code` is Twilio's (11200, 11205) when the request failed."""

    url: str
    status: int | None
    body: str
    content_type: str
    error_code: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None


@dataclass(frozen=True)
class _Request:
    """One logical webhook; retries and duplicates re-send it byte for byte."""

    method: str
    url: str
    body: dict[str, str]
    params: dict[str, str]
    headers: dict[str, str]
    timeout: tuple[float, float]
    call_sid: str | None
    purpose: str


@dataclass(frozen=True)
class _Overrides:
    """Twilio's connection overrides, given as a URL fragment: #rc=2&rp=all&ct=1000&rt=5000."""

    retries: int | None = None
    policy: frozenset[str] = frozenset({"ct"})
    connect_timeout: float | None = None
    read_timeout: float | None = None


def _split_overrides(url: str) -> tuple[str, _Overrides]:
    # Twilio strips the fragment before requesting and signing, so the app never sees it.
    bare, fragment = urldefrag(url)
    if not fragment:
        return url, _Overrides()
    values = dict(parse_qsl(fragment))

    def ms(key: str) -> float | None:
        return int(values[key]) / 1000 if key in values else None

    retries = int(values["rc"]) if "rc" in values else None
    policy = frozenset(values.get("rp", "ct").split(","))
    return bare, _Overrides(retries, policy, ms("ct"), ms("rt"))


def resolve(base: str, url: str) -> str:
    """Resolve a relative TwiML URL against the document it came from, like Twilio does."""
    return urljoin(base, url)


class WebhookClient:
    """Sends signed webhooks and records each delivery in the call log."""

    def __init__(self, auth_token: str, log: CallLog, clock: Clock, policy: WebhookPolicy) -> None:
        self.validator = RequestValidator(auth_token)
        self.log = log
        self.clock = clock
        self.policy = policy
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def signature(self, url: str, params: dict[str, str]) -> str:
        """X-Twilio-Signature for a request to `url` with these POST params."""
        return str(self.validator.compute_signature(url, params))

    def send(
        self,
        url: str,
        params: dict[str, str],
        method: str = "POST",
        call_sid: str | None = None,
        purpose: str = "voice",
    ) -> WebhookResult:
        """Deliver one webhook (plus configured retries/duplicates); returns the last answer."""
        bare, overrides = _split_overrides(url)
        method = method.upper()
        target, body, signed_params = bare, dict(params), dict(params)
        if method == "GET":
            # For GET, Twilio puts the params in the query string and signs the full URL.
            parts = urlsplit(bare)
            query = "&".join(q for q in (parts.query, urlencode(params)) if q)
            target, body, signed_params = urlunsplit(parts._replace(query=query)), {}, {}
        request = _Request(
            method=method,
            url=target,
            body=body,
            params=dict(params),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": defaults.USER_AGENT,
                defaults.SIGNATURE_HEADER: self.signature(target, signed_params),
                defaults.IDEMPOTENCY_HEADER: str(uuid.uuid4()),
                "X-Home-Region": "us1",
            },
            timeout=(
                overrides.connect_timeout or self.policy.timeout,
                overrides.read_timeout or self.policy.timeout,
            ),
            call_sid=call_sid,
            purpose=purpose,
        )
        if purpose in self.policy.lose:
            return self._lost(request)
        retries = self.policy.retries if overrides.retries is None else overrides.retries
        result = self._attempt(request, 1)
        attempt = 1
        while not result.ok and attempt <= retries and self._retryable(result, overrides):
            attempt += 1
            result = self._attempt(request, attempt)
        for _ in range(self.policy.duplicates):
            attempt += 1
            result = self._attempt(request, attempt)
        return result

    @staticmethod
    def _retryable(result: WebhookResult, overrides: _Overrides) -> bool:
        if "all" in overrides.policy or overrides.retries is None:
            return True
        if result.status is None:
            return bool({"ct", "rt"} & overrides.policy)
        return f"{result.status // 100}xx" in overrides.policy

    def _lost(self, req: _Request) -> WebhookResult:
        error = "lost on the way (WebhookPolicy.lose)"
        result = WebhookResult(req.url, None, "", "", defaults.ERR_HTTP_RETRIEVAL, error)
        self._log(req, 1, result)
        return result

    def _attempt(self, req: _Request, attempt: int) -> WebhookResult:
        url = req.url
        try:
            response = self._session().request(
                req.method,
                url,
                data=req.body or None,
                headers=req.headers,
                timeout=req.timeout,
                allow_redirects=True,
            )
        except requests.Timeout as exc:
            result = WebhookResult(url, None, "", "", defaults.ERR_HTTP_TIMEOUT, f"timeout: {exc}")
        except requests.RequestException as exc:
            result = WebhookResult(url, None, "", "", defaults.ERR_HTTP_RETRIEVAL, str(exc))
        else:
            ok = 200 <= response.status_code < 300
            result = WebhookResult(
                url,
                response.status_code,
                response.text,
                response.headers.get("Content-Type", ""),
                None if ok else defaults.ERR_HTTP_RETRIEVAL,
                None if ok else f"HTTP {response.status_code}",
            )
        self._log(req, attempt, result)
        return result

    def _log(self, req: _Request, attempt: int, result: WebhookResult) -> None:
        url = req.url
        self.log.add(
            LogEntry(
                self.clock.now(),
                "webhook",
                req.call_sid,
                {
                    "purpose": req.purpose,
                    "method": req.method,
                    "url": url,
                    "params": req.params,
                    "attempt": attempt,
                    "status": result.status,
                    "error": result.error,
                    "idempotency_token": req.headers[defaults.IDEMPOTENCY_HEADER],
                },
            )
        )
