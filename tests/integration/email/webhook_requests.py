"""Requests as the providers send them, for the webhook tests: multipart bodies with exact
bytes, Mailgun's signature, basic auth."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

SECRET_ENV = "CC_TEST_EMAIL_WEBHOOK_SECRET"
SECRET = "s3cret-Key_for-webhooks"
BOUNDARY = "xYzZY-test-boundary"


def multipart(
    fields: dict[str, bytes], files: dict[str, tuple[str, str, bytes]] | None = None
) -> tuple[str, bytes]:
    """(Content-Type, body) of a multipart/form-data POST; values are sent byte for byte."""
    out = []
    for name, value in fields.items():
        out.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
        )
    for name, (filename, kind, data) in (files or {}).items():
        head = (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
            f'name="{name}"; filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'
        )
        out.append(head.encode() + data + b"\r\n")
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return f"multipart/form-data; boundary={BOUNDARY}", b"".join(out)


def mailgun_signature(
    key: str = SECRET, *, timestamp: int | None = None, token: str | None = None
) -> dict[str, bytes]:
    """timestamp, token and signature as Mailgun makes them: hex HMAC-SHA256 of the timestamp
    followed by the token, under the webhook signing key."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    token = token or secrets.token_hex(25)
    signature = hmac.new(key.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    return {"timestamp": stamp.encode(), "token": token.encode(), "signature": signature.encode()}


def basic(user: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}
