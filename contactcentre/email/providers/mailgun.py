"""Mailgun inbound routes: a form POST from a route's forward() action, with the whole message
in `body-mime` when the route's URL ends in "mime", else parsed (`message-headers` as JSON
pairs, `body-plain`, `body-html`, `attachment-1`...).

Mailgun signs each POST: `signature` is the hex HMAC-SHA256 of `timestamp` followed by `token`
under the webhook signing key. A timestamp more than TOLERANCE_SECONDS from our clock is
refused, and so is a token seen before (remembered in Redis for longer than a timestamp stays
acceptable), so a captured request cannot be played again. Mailgun's retries are signed anew,
so they pass, and the intake stores the message once by its Message-ID. Mailgun sends no id
of the message itself.
"""

from __future__ import annotations

import hashlib
import hmac

import redis

from contactcentre.email.providers import Inbound, Refused
from contactcentre.email.providers.forms import Form, Malformed
from contactcentre.email.providers.rebuild import (
    STRUCTURAL,
    Attachment,
    Body,
    header_line,
    message,
)

TOLERANCE_SECONDS = 300
# A token is remembered until any timestamp it could be signed with is stale on both sides.
TOKEN_MEMORY_SECONDS = 2 * TOLERANCE_SECONDS + 60
TOKEN_KEY = "cc:email:mailgun-token:"  # noqa: S105 - a Redis key prefix, not a secret


def signature_for(signing_key: str, timestamp: str, token: str) -> str:
    digest = hmac.new(signing_key.encode(), (timestamp + token).encode(), hashlib.sha256)
    return digest.hexdigest()


def check_signature(form: Form, signing_key: str, now: float) -> str:
    """The request's token once its signature and timestamp are good; raises Refused (or
    Malformed when a part of the signature is missing)."""
    timestamp = form.required("timestamp").decode("ascii", "replace").strip()
    token = form.required("token").decode("ascii", "replace").strip()
    signature = form.required("signature").decode("ascii", "replace").strip().lower()
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise Malformed("timestamp", "timestamp is not a number of seconds")
    expected = signature_for(signing_key, timestamp, token)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise Refused("bad_signature", "the signature does not match the webhook signing key")
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise Refused(
            "stale_timestamp", f"the timestamp is more than {TOLERANCE_SECONDS} s from our clock"
        )
    return token


def remember_token(client: redis.Redis, token: str) -> None:
    """Refuse a token seen before; called after the signature is checked, so only Mailgun's
    own tokens take room in Redis. SET NX: of two copies racing, one passes."""
    if not client.set(_token_key(token), "1", nx=True, ex=TOKEN_MEMORY_SECONDS):
        raise Refused("replayed_token", "this token was used before; the request is a replay")


def forget_token(client: redis.Redis, token: str) -> None:
    """The request was not stored (refused after its signature, or the database failed): the
    same signed request may come again and must not be taken for a replay."""
    client.delete(_token_key(token))


def _token_key(token: str) -> str:
    return TOKEN_KEY + hashlib.sha256(token.encode()).hexdigest()


def inbound(form: Form) -> Inbound:
    sender = form.text("sender")
    raw = form.fields.get("body-mime")
    if raw is not None:
        return Inbound(raw, sender)
    pairs = form.json("message-headers", list)
    if pairs is None:
        raise Malformed("message-headers", "neither body-mime nor message-headers was sent")
    lines = []
    for index, pair in enumerate(pairs):
        pair_ok = isinstance(pair, list) and len(pair) == 2
        if not (pair_ok and all(isinstance(p, str) for p in pair)):
            raise Malformed(f"message-headers[{index}]", "a header is a [name, value] pair")
        if pair[0].strip().lower() not in STRUCTURAL:
            lines.append(header_line(pair[0], pair[1]))
    html = form.fields.get("body-html")
    return Inbound(
        message(
            b"".join(lines),
            Body(form.fields.get("body-plain", b"")),
            None if html is None else Body(html),
            _attachments(form),
        ),
        sender,
    )


def _attachments(form: Form) -> list[Attachment]:
    count = form.count("attachment-count")
    # Inline images: {"<cid>": "attachment-1"}, so the HTML's cid: references still resolve.
    cids = {v: k for k, v in form.json("content-id-map", dict, {}).items() if isinstance(v, str)}
    found = []
    for index in range(1, count + 1):
        name = f"attachment-{index}"
        upload = form.files.get(name)
        if upload is None:
            raise Malformed(name, f"attachment-count says {count} but {name} is missing")
        found.append(Attachment(upload.filename, upload.content_type, upload.data, cids.get(name)))
    return found
