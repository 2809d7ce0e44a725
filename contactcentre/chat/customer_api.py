"""The widget's HTTP API (/chat/api): site configuration, starting a conversation, history,
attachments, leaving. Cross-origin by design: each answer admits only the site's origins."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, request, send_file
from flask_openapi3 import APIBlueprint, Tag

from contactcentre.chat.access import (
    ChatHttpError,
    check_origin,
    conversation_from_bearer,
)
from contactcentre.chat.attachments import AttachmentError, open_attachment, store_attachment
from contactcentre.chat.conversations import chat_service
from contactcentre.chat.limits import RateLimiter
from contactcentre.chat.messages import MessageError, history
from contactcentre.chat.schemas import (
    LANGUAGES,
    AttachmentForm,
    AttachmentPath,
    ChatHistoryOut,
    ConversationPath,
    CustomerMessageIn,
    HistoryQuery,
    MessageOut,
    SiteConfigOut,
    SitePath,
    StartIn,
    StartOut,
    StatusOut,
    TokenQuery,
)
from contactcentre.chat.sites import public_config, site_by_key
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import ChatConversation, ChatSite
from contactcentre.webapi.common import ERRORS, ErrorOut
from contactcentre.webapi.screening import refuse_unreadable

TAGS = [Tag(name="chat widget", description="the customer's side of web chat (docs/chat.md)")]
bp = APIBlueprint("chat_api", __name__, url_prefix="/chat/api", abp_tags=TAGS)
# The conversation token from POST /conversations: Authorization: Bearer <token>.
CONVERSATION: list[dict[str, list[str]]] = [{"conversation": []}]
CHAT_ERRORS: dict[str | int, Any] = {**ERRORS, 410: ErrorOut, 415: ErrorOut, 429: ErrorOut}
CONVERSATION_WINDOW_SECONDS = 3600
MULTIPART_OVERHEAD = 64 * 1024  # form boundaries, headers and the client_id field


@bp.before_request
def screen() -> None:
    """Unparsable bodies and NUL characters are refused as on /api/v1 (a file may be larger)."""
    if request.endpoint == "chat_api.upload_attachment":
        allow_attachment_body(current_runtime())
    refuse_unreadable()
    conversation_id = (request.view_args or {}).get("conversation_id")
    if request.method != "OPTIONS" and conversation_id is not None:
        # A conversation's routes are its token holder's: a missing or wrong token is refused
        # before the body's schema is checked (as roles come before input on /api/v1).
        runtime = current_runtime()
        with runtime.db.session() as session:
            conversation_from_bearer(session, runtime, conversation_id)


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


@bp.get("/sites/<widget_key>", responses={200: SiteConfigOut, **CHAT_ERRORS})
def site_config(path: SitePath) -> Any:
    """The site's name, theme, hours, topics and limits, for the widget to draw itself."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        site = _site_for(session, path.widget_key)
        return public_config(site, runtime, chat_service(runtime).agents_online())


@bp.post("/conversations", responses={201: StartOut, **CHAT_ERRORS})
def start_conversation(body: StartIn) -> Any:
    """Start a conversation from the pre-chat form; the answer carries its token."""
    runtime = current_runtime()
    settings = runtime.settings
    with runtime.db.session() as session:
        site = _site_for(session, body.widget_key)
        session.expunge(site)
    language = body.language if body.language in LANGUAGES else "en"
    visitor_id = body.visitor_id or secrets.token_urlsafe(16)
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
        site,
        name=body.name,
        email=body.email,
        topic=body.topic,
        language=language,
        visitor_id=visitor_id,
    )
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, started.conversation.id)
        assert conversation is not None
        status = chat_service(runtime).status(session, conversation)
    return {
        "conversation_id": started.conversation.id,
        "token": started.token,
        "visitor_id": visitor_id,
        "messages": started.messages,
        **status,
    }, 201


@bp.get(
    "/conversations/<conversation_id>/messages",
    responses={200: ChatHistoryOut, **CHAT_ERRORS},
    security=CONVERSATION,
)
def conversation_messages(path: ConversationPath, query: HistoryQuery) -> Any:
    """The messages after `after` (whispers never), and where the chat is now."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        conversation = _conversation(session, path.conversation_id)
        messages = history(session, conversation, after_seq=query.after)
        status = chat_service(runtime).status(session, conversation)
    return {"messages": messages, **status}


@bp.post(
    "/conversations/<conversation_id>/messages",
    responses={201: MessageOut, **CHAT_ERRORS},
    security=CONVERSATION,
)
def post_customer_message(path: ConversationPath, body: CustomerMessageIn) -> Any:
    """The same as the socket's `message` event, for clients without a websocket."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        conversation = _conversation(session, path.conversation_id)
        visitor_id = conversation.visitor_id
    _message_allowance(visitor_id)
    try:
        message = chat_service(runtime).customer_message(
            path.conversation_id, body.body, body.client_id
        )
    except MessageError as exc:
        raise ChatHttpError(_message_status(exc), exc.code, exc.field, exc.message) from None
    return message, 201


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


@bp.post(
    "/conversations/<conversation_id>/attachments",
    responses={201: MessageOut, **CHAT_ERRORS},
    security=CONVERSATION,
)
def upload_attachment(path: ConversationPath, form: AttachmentForm) -> Any:
    """A file from the customer (multipart field `file`, optional `client_id`)."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        conversation = _conversation(session, path.conversation_id)
        if conversation.status not in ("bot", "queued", "active"):
            raise ChatHttpError(409, "conversation_closed", None, "this conversation has ended")
        _message_allowance(conversation.visitor_id)
        try:
            message = store_attachment(
                session,
                runtime,
                conversation,
                form.file,
                uploaded_by="customer",
                client_id=form.client_id or None,
            )
        except AttachmentError as exc:
            raise ChatHttpError(exc.status, exc.code, "file", exc.message) from None
    return message, 201


FILE = {
    "description": "the file, as it was uploaded",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


@bp.get(
    "/attachments/<attachment_id>",
    responses={200: FILE, **CHAT_ERRORS},
    security=[*CONVERSATION, {"session": []}],
)
def download_attachment(path: AttachmentPath, query: TokenQuery) -> Any:
    """The file, for its conversation's customer (token), agent or a supervisor (signed in).

    The token may come as `?token=` so that a link opens the file.
    """
    runtime = current_runtime()
    with runtime.db.session() as session:
        found = open_attachment(session, runtime, path.attachment_id)
        if found is None:
            raise ChatHttpError(404, "not_found", "attachment_id", "no such attachment")
        attachment, stored = found
        from contactcentre.chat.attachments import may_download

        if not may_download(session, runtime, attachment):
            raise ChatHttpError(
                403, "forbidden", "token", "only the conversation's participants may open it"
            )
        response = send_file(
            stored,
            mimetype=attachment.content_type,
            as_attachment=True,
            download_name=attachment.filename,
            max_age=0,
        )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post(
    "/conversations/<conversation_id>/close",
    responses={200: StatusOut, **CHAT_ERRORS},
    security=CONVERSATION,
)
def close_conversation(path: ConversationPath) -> Any:
    """The customer leaves: a queued chat is canceled, an active one ends for its agent."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        _conversation(session, path.conversation_id)
    return chat_service(runtime).close(path.conversation_id, by="customer")
