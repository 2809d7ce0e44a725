"""The widget's HTTP API (/chat/api): site configuration, starting a conversation, history,
attachments, leaving. Cross-origin by design: each answer admits only the site's origins."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file

from contactcentre.chat.access import ChatHttpError, check_origin, conversation_from_bearer
from contactcentre.chat.attachments import AttachmentError, open_attachment, store_attachment
from contactcentre.chat.conversations import chat_service
from contactcentre.chat.limits import RateLimiter
from contactcentre.chat.messages import MessageError, history
from contactcentre.chat.sites import TOPIC_VALUES, public_config, site_by_key
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import ChatConversation, ChatSite

bp = Blueprint("chat_api", __name__, url_prefix="/chat/api")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s]{2,}$")
LANGUAGES = ("en", "es")
CONVERSATION_WINDOW_SECONDS = 3600
MULTIPART_OVERHEAD = 64 * 1024  # form boundaries, headers and the client_id field


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and request.get_data():
        raise ChatHttpError(400, "malformed_json", None, "the request body is not valid JSON")
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ChatHttpError(422, "invalid", None, "send a JSON object")
    for key, value in body.items():
        if isinstance(value, str) and "\x00" in value:
            raise ChatHttpError(400, "nul_character", key, "text may not contain NUL characters")
    return body


def _text(body: dict[str, Any], field: str, *, required: bool, limit: int) -> str | None:
    value = body.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ChatHttpError(422, "required", field, f"{field} is required")
        return None
    if not isinstance(value, str):
        raise ChatHttpError(422, "invalid", field, f"{field} must be text")
    value = value.strip()
    if len(value) > limit:
        raise ChatHttpError(
            422, "too_long", field, f"{field} is limited to {limit} characters, got {len(value)}"
        )
    return value


@bp.after_request
def cors(response: Response) -> Response:
    """CORS for the widget: a preflight is answered for any origin some active site lists; a
    real answer echoes the origin only when the request's own site allowed it, an error answer
    when some site lists it (the handlers have already refused other origins, so this only
    decides what a browser may read)."""
    from contactcentre.chat.sites import site_origins

    origin = request.headers.get("Origin")
    if origin and request.method == "OPTIONS":
        if origin in site_origins(current_runtime()):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
            response.headers["Vary"] = "Origin"
    elif origin and (
        getattr(request, "_chat_origin_ok", False)
        # Refusals (an expired token, a bad field) hold nothing private; a site's widget must
        # read them to start over or point at the field.
        or (response.status_code >= 400 and origin in site_origins(current_runtime()))
    ):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    response.headers["Cache-Control"] = "no-store"
    return response


def _site_for(session: Any, widget_key: str) -> ChatSite:
    site = site_by_key(session, widget_key)
    if site is None:
        raise ChatHttpError(
            404, "unknown_widget_key", "widget_key", "no active chat site has this key"
        )
    check_origin(site, current_runtime())
    request._chat_origin_ok = True  # type: ignore[attr-defined]
    return site


def _conversation(session: Any, conversation_id: str) -> ChatConversation:
    runtime = current_runtime()
    conversation = conversation_from_bearer(session, runtime, conversation_id)
    site = session.get(ChatSite, conversation.site_id)
    if site is None or not site.active:
        raise ChatHttpError(410, "site_disabled", None, "chat is no longer enabled on this site")
    check_origin(site, runtime)
    request._chat_origin_ok = True  # type: ignore[attr-defined]
    return conversation


@bp.get("/sites/<widget_key>")
def site_config(widget_key: str) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        site = _site_for(session, widget_key)
        return jsonify(public_config(site, runtime, chat_service(runtime).agents_online()))


@bp.post("/conversations")
def start_conversation() -> Any:
    runtime = current_runtime()
    settings = runtime.settings
    body = _json_body()
    widget_key = _text(body, "widget_key", required=True, limit=40) or ""
    # The site and its origin first: from then on errors carry CORS headers, so the widget can
    # read which field was wrong.
    with runtime.db.session() as session:
        site = _site_for(session, widget_key)
        session.expunge(site)
    name = _text(body, "name", required=True, limit=120) or ""
    email = _text(body, "email", required=False, limit=254)
    if email is not None and not EMAIL.match(email):
        raise ChatHttpError(
            422, "invalid_email", "email", "enter an email address like ann@example.com"
        )
    topic = _text(body, "topic", required=False, limit=64)
    if topic is not None and topic not in TOPIC_VALUES:
        raise ChatHttpError(
            422, "invalid_topic", "topic", f"topic must be one of {', '.join(sorted(TOPIC_VALUES))}"
        )
    language = _text(body, "language", required=False, limit=8) or "en"
    if language not in LANGUAGES:
        language = "en"
    visitor_id = _text(body, "visitor_id", required=False, limit=64) or secrets.token_urlsafe(16)
    limiter = RateLimiter(runtime.redis)
    for bucket in (f"start:v:{visitor_id}", f"start:ip:{request.remote_addr}"):
        verdict = limiter.hit(
            bucket, settings.chat_conversations_per_hour, CONVERSATION_WINDOW_SECONDS
        )
        if not verdict.allowed:
            error = ChatHttpError(
                429,
                "rate_limited",
                None,
                f"too many new conversations; try again in {verdict.retry_after} s",
            )
            response = error.to_response()
            response.headers["Retry-After"] = str(verdict.retry_after)
            return response
    started = chat_service(runtime).start(
        site, name=name, email=email, topic=topic, language=language, visitor_id=visitor_id
    )
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, started.conversation.id)
        assert conversation is not None
        status = chat_service(runtime).status(session, conversation)
    return (
        jsonify(
            {
                "conversation_id": started.conversation.id,
                "token": started.token,
                "visitor_id": visitor_id,
                "messages": started.messages,
                **status,
            }
        ),
        201,
    )


@bp.get("/conversations/<conversation_id>/messages")
def conversation_messages(conversation_id: str) -> Any:
    runtime = current_runtime()
    raw_after = request.args.get("after", "0")
    if not raw_after.isdigit():
        raise ChatHttpError(422, "invalid", "after", "after must be a message number (0 or more)")
    with runtime.db.session() as session:
        conversation = _conversation(session, conversation_id)
        messages = history(session, conversation, after_seq=int(raw_after))
        status = chat_service(runtime).status(session, conversation)
    return jsonify({"messages": messages, **status})


@bp.post("/conversations/<conversation_id>/messages")
def post_customer_message(conversation_id: str) -> Any:
    """The same as the socket's `message` event, for clients without a websocket."""
    runtime = current_runtime()
    body = _json_body()
    with runtime.db.session() as session:
        conversation = _conversation(session, conversation_id)
        visitor_id = conversation.visitor_id
    _message_allowance(visitor_id)
    text = body.get("body")
    client_id = body.get("client_id")
    if not isinstance(text, str):
        raise ChatHttpError(422, "required", "body", "body is required")
    if client_id is not None and not isinstance(client_id, str):
        raise ChatHttpError(422, "invalid_client_id", "client_id", "client_id must be text")
    try:
        message = chat_service(runtime).customer_message(conversation_id, text, client_id)
    except MessageError as exc:
        raise ChatHttpError(_message_status(exc), exc.code, exc.field, exc.message) from None
    return jsonify(message), 201


def _message_status(exc: MessageError) -> int:
    return 409 if exc.code == "conversation_closed" else 422


def _message_allowance(visitor_id: str) -> None:
    runtime = current_runtime()
    verdict = RateLimiter(runtime.redis).hit(
        f"msg:{visitor_id}", runtime.settings.chat_messages_per_minute, 60
    )
    if not verdict.allowed:
        raise ChatHttpError(
            429,
            "rate_limited",
            None,
            f"you are sending messages too quickly; try again in {verdict.retry_after} s",
        )


def allow_attachment_body(runtime: Any) -> None:
    """Admit a body big enough for one attachment (the app-wide limit may be smaller), and
    refuse a larger one up front, naming the file, before reading any of it."""
    limit = runtime.settings.chat_max_attachment_bytes
    request.max_content_length = limit + MULTIPART_OVERHEAD
    if (request.content_length or 0) > limit + MULTIPART_OVERHEAD:
        raise ChatHttpError(
            413, "file_too_large", "file", f"files are limited to {limit // 1024} KB"
        )


@bp.post("/conversations/<conversation_id>/attachments")
def upload_attachment(conversation_id: str) -> Any:
    runtime = current_runtime()
    allow_attachment_body(runtime)
    with runtime.db.session() as session:
        conversation = _conversation(session, conversation_id)
        if conversation.status not in ("bot", "queued", "active"):
            raise ChatHttpError(409, "conversation_closed", None, "this conversation has ended")
        _message_allowance(conversation.visitor_id)
        upload = request.files.get("file")
        if upload is None:
            raise ChatHttpError(422, "required", "file", "attach a file in the form field 'file'")
        client_id = request.form.get("client_id") or None
        try:
            message = store_attachment(
                session, runtime, conversation, upload, uploaded_by="customer", client_id=client_id
            )
        except AttachmentError as exc:
            raise ChatHttpError(exc.status, exc.code, "file", exc.message) from None
    return jsonify(message), 201


@bp.get("/attachments/<attachment_id>")
def download_attachment(attachment_id: str) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        found = open_attachment(session, runtime, attachment_id)
        if found is None:
            raise ChatHttpError(404, "not_found", "attachment_id", "no such attachment")
        attachment, path = found
        # The attachment's customer (token) or, signed in, its agent or a supervisor.
        from contactcentre.chat.attachments import may_download

        if not may_download(session, runtime, attachment):
            raise ChatHttpError(
                403, "forbidden", "token", "only the conversation's participants may open it"
            )
        response = send_file(
            path,
            mimetype=attachment.content_type,
            as_attachment=True,
            download_name=attachment.filename,
            max_age=0,
        )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/conversations/<conversation_id>/close")
def close_conversation(conversation_id: str) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        _conversation(session, conversation_id)
    return jsonify(chat_service(runtime).close(conversation_id, by="customer"))
