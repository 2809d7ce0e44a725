"""The providers' inbound webhooks under /email/inbound/<provider>/<mailbox id>: the third way
mail comes in, beside the SMTP listener and the IMAP poller, into the same intake.

Each request is authenticated as its provider does it (401 otherwise), read (400 naming the
field when the payload is not what the provider sends), and the raw message is committed
before the 200: a kill -9 before the commit leaves no row and no answer, so the provider
retries, and a retry of a stored message finds it (by Message-ID, by the provider's event id)
and answers 200 again without a second row. Parsing happens later in the mail process; a
payload that cannot even be rebuilt as a message is stored as it came and quarantined.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, jsonify, request
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from contactcentre.email.intake import store
from contactcentre.email.providers import (
    Inbound,
    Refused,
    basic_auth_matches,
    mailgun,
    postmark,
    same_secret,
    sendgrid,
)
from contactcentre.email.providers.forms import Malformed, read_form
from contactcentre.email.quarantine import quarantine
from contactcentre.email.secrets import SecretError, secret_for
from contactcentre.errors import ApiError, error_response
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import InboundEmail, Mailbox
from contactcentre.webapi.common import INT32_MAX

log = logging.getLogger(__name__)
bp = Blueprint("email_inbound", __name__, url_prefix="/email/inbound")
# A payload carries the message more than once (Postmark: parsed, base64 and RawEmail).
PAYLOAD_OVERHEAD = 3
RAW_FIELDS = {"sendgrid": "email", "mailgun": "body-mime", "postmark": "RawEmail"}


def init_email_webhooks(app: Flask) -> None:
    from contactcentre.extensions import csrf

    csrf.exempt(bp)  # providers send no CSRF token; their credentials authenticate them
    app.register_blueprint(bp)


@dataclass(frozen=True)
class Hook:
    """A mailbox's webhook as configured: its id, the basic-auth user, the secret itself."""

    mailbox_id: int
    user: str | None
    secret: str


@bp.post("/sendgrid/<int:mailbox_id>")
@bp.post("/sendgrid/<int:mailbox_id>/<key>")
def sendgrid_inbound(mailbox_id: int, key: str | None = None) -> Response:
    hook = _hook("sendgrid", mailbox_id)
    if key is not None:
        if not same_secret(key, hook.secret):
            return _refused(Refused("bad_credentials", "the key in the URL is not this mailbox's"))
    else:
        _basic_auth(hook)
    body = _body()
    return _accept(hook, "sendgrid", lambda: sendgrid.inbound(read_form(_type(), body)), body)


@bp.post("/mailgun/<int:mailbox_id>")
@bp.post("/mailgun/<int:mailbox_id>/mime")
def mailgun_inbound(mailbox_id: int) -> Response:
    hook = _hook("mailgun", mailbox_id)
    body = _body()  # Mailgun's signature is in the body, so it is read first
    try:
        form = read_form(_type(), body)
        token = mailgun.check_signature(form, hook.secret, time.time())
        mailgun.remember_token(current_runtime().redis, token)
    except RedisError:
        log.exception("mailbox %s: Mailgun's token could not be checked", mailbox_id)
        return _unavailable().to_response()
    except Malformed as error:
        return _malformed(error)
    except Refused as error:
        return _refused(error)
    answer: Response | None = None
    try:
        answer = _accept(hook, "mailgun", lambda: mailgun.inbound(form), body)
        return answer
    finally:
        # Not stored (refused after the signature, a 413, the database down): the same signed
        # request may come again, and must not be taken for a replay then.
        if answer is None or answer.status_code != 200:
            mailgun.forget_token(current_runtime().redis, token)


@bp.post("/postmark/<int:mailbox_id>")
def postmark_inbound(mailbox_id: int) -> Response:
    hook = _hook("postmark", mailbox_id)
    _basic_auth(hook)
    body = _body()
    return _accept(hook, "postmark", lambda: postmark.inbound(postmark.payload(body)), body)


def _hook(provider: str, mailbox_id: int) -> Hook:
    missing = ApiError(
        404, "not_found", f"mailbox {mailbox_id} takes no {provider} webhook", "mailbox_id"
    )
    if mailbox_id > INT32_MAX:  # PostgreSQL binds the id as INTEGER: larger would overflow
        raise missing
    try:
        with current_runtime().db.session() as session:
            row = session.get(Mailbox, mailbox_id)
            if row is None or not row.active or row.webhook_provider != provider:
                raise missing
            reference, user = row.webhook_secret_ref or "", row.webhook_user
    except SQLAlchemyError:
        log.exception("mailbox %s: the %s webhook could not be looked up", mailbox_id, provider)
        raise _unavailable() from None
    try:
        return Hook(mailbox_id, user, secret_for(reference))
    except SecretError as error:
        # Our configuration, not the provider's fault: a 5xx, so it retries once it is fixed.
        log.error("mailbox %s: the %s webhook secret: %s", mailbox_id, provider, error)
        raise ApiError(
            503, "secret_unavailable", "the mailbox's webhook secret cannot be read"
        ) from None


def _basic_auth(hook: Hook) -> None:
    auth = request.authorization
    if auth is None or auth.type != "basic":
        raise _unauthorised("credentials_missing", "basic auth is required on this URL")
    if not basic_auth_matches(auth.username, auth.password, hook.user, hook.secret):
        raise _unauthorised("bad_credentials", "the basic-auth user or password is wrong")


def _body() -> bytes:
    settings = current_runtime().settings
    request.max_content_length = PAYLOAD_OVERHEAD * settings.email_max_message_bytes + 2**20
    try:
        return request.get_data(cache=False)
    except RequestEntityTooLarge:
        limit = request.max_content_length
        raise ApiError(413, "too_large", f"the request body is over {limit} bytes") from None


def _type() -> str:
    return request.headers.get("Content-Type", "")


def _accept(hook: Hook, source: str, build: Callable[[], Inbound], body: bytes) -> Response:
    """Rebuild the message, store it, commit, and only then answer 200."""
    problem = None
    try:
        found = build()
    except Malformed as error:
        return _malformed(error)
    except Exception as error:  # a payload our rebuilding cannot write: kept, never dropped
        log.warning("mailbox %s: %s payload not rebuilt: %s", hook.mailbox_id, source, error)
        found = Inbound(body)
        problem = f"the {source} payload could not be rebuilt as a message: {type(error).__name__}"
    limit = current_runtime().settings.email_max_message_bytes
    if len(found.raw) > limit:
        raise ApiError(413, "too_large", f"the message is over {limit} bytes", RAW_FIELDS[source])
    try:
        with current_runtime().db.session() as session:
            stored = store(
                session,
                mailbox_id=hook.mailbox_id,
                raw=found.raw,
                source=source,
                provider_event_id=found.event_id,
                envelope_from=found.envelope_from,
            )
            inbound = session.get(InboundEmail, stored.inbound_id)
            if problem and stored.created and inbound is not None:
                quarantine(session, inbound, "provider_payload", problem)
    except SQLAlchemyError:
        log.exception("mailbox %s: a %s delivery was not stored", hook.mailbox_id, source)
        return _unavailable().to_response()
    return jsonify({"inbound_id": stored.inbound_id, "duplicate": not stored.created})


def _malformed(error: Malformed) -> Response:
    return error_response(400, "invalid_payload", error.message, error.field)


def _refused(error: Refused) -> Response:
    return error_response(401, error.code, error.message)


def _unavailable() -> ApiError:
    """Ours to fix or to wait out: a 503, so the provider keeps the message and retries."""
    return _Retry(503, "not_stored", "the message could not be stored; retry later")


class _Retry(ApiError):
    def to_response(self) -> Response:
        response = super().to_response()
        response.headers["Retry-After"] = "60"
        return response


def _unauthorised(code: str, message: str) -> ApiError:
    return _BasicRefusal(401, code, message)


class _BasicRefusal(ApiError):
    """A 401 that asks for basic auth, as RFC 9110 wants it to."""

    def to_response(self) -> Response:
        response = super().to_response()
        response.headers["WWW-Authenticate"] = 'Basic realm="email inbound"'
        return response
