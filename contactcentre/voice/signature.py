"""X-Twilio-Signature checking for every webhook: a missing or forged signature gets 403.

The signed URL is the one Twilio requested: the configured public URL, or the request's own URL
(which ProxyFix corrects behind a proxy); both are tried, neither needs the secret to be guessed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, request
from twilio.request_validator import RequestValidator

from contactcentre.platform.runtime import current_runtime

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
SIGNATURE_HEADER = "X-Twilio-Signature"


def signed_urls(public_base_url: str) -> list[str]:
    """The URLs the signature may have been computed over, most likely first."""
    path = request.full_path if request.query_string else request.path
    public = public_base_url.rstrip("/") + path
    return list(dict.fromkeys([public, request.url]))


def is_signed(auth_token: str, public_base_url: str) -> bool:
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature:
        return False
    validator = RequestValidator(auth_token)
    params = request.form if request.method == "POST" else {}
    return any(validator.validate(url, params, signature) for url in signed_urls(public_base_url))


def twilio_signed(view: F) -> F:
    """Reject the request (403, logged) unless Twilio signed it with our auth token."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        settings = current_runtime().settings
        if not is_signed(settings.twilio_auth_token, settings.public_base_url):
            missing = SIGNATURE_HEADER not in request.headers
            log.warning(
                "rejected Twilio webhook %s %s: %s signature",
                request.method,
                request.path,
                "missing" if missing else "invalid",
            )
            return Response("invalid Twilio signature\n", 403, mimetype="text/plain")
        return view(*args, **kwargs)

    return cast(F, wrapped)
