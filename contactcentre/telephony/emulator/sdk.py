"""The real twilio.rest.Client, pointed at the emulator by rewriting Twilio hosts in each URL.

The HTTP client subclass is the only fake part: request building, auth, paging and response
parsing are all twilio-python's own code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

if TYPE_CHECKING:
    from .server import Emulator


class EmulatorHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends what the SDK addresses to https://*.twilio.com to the emulator's base URL."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        if not (parts.hostname or "").endswith("twilio.com"):
            return url
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return super().request(method, self.rewrite(url), *args, **kwargs)


def emulator_client(emulator: Emulator, api_key: tuple[str, str] | None = None) -> Client:
    """A twilio.rest.Client for the emulator's account (or authenticated with an API key)."""
    http_client = EmulatorHttpClient(emulator.base_url, timeout=10)
    if api_key is not None:
        return Client(api_key[0], api_key[1], emulator.account_sid, http_client=http_client)
    return Client(emulator.account_sid, emulator.auth_token, http_client=http_client)
