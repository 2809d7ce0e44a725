"""Email providers' inbound webhooks, one module each (SendGrid, Mailgun, Postmark): how the
provider proves it sent the request, and its payload read into the raw message the intake
stores."""

from __future__ import annotations

import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class Inbound:
    """What a delivery brings the intake: the raw message, and what the provider adds."""

    raw: bytes
    envelope_from: str | None = None
    event_id: str | None = None  # the provider's id of this message, when it has one


class Refused(Exception):
    """The request is not the provider's (401): a wrong secret, signature or a stale one."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def same_secret(given: str, expected: str) -> bool:
    """In constant time: how much of a guess was right must not show in the answer's timing."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def basic_auth_matches(
    username: str | None, password: str | None, user: str | None, secret: str
) -> bool:
    """Both parts compared in full whatever the first gave (`&`, not `and`); no configured
    user: any user name, the password decides."""
    user_ok = True if user is None else same_secret(username or "", user)
    return user_ok & same_secret(password or "", secret)
