"""Who a chat request speaks for: the customer holding a conversation's token, from an allowed
origin. Errors are the platform's JSON errors (ApiError), so every refusal names its field."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import request
from sqlalchemy.orm import Session

from contactcentre.chat.tokens import ConversationTokens, TokenError
from contactcentre.errors import ApiError
from contactcentre.platform.runtime import Runtime
from contactcentre.store.models import ChatConversation, ChatSite


class ChatHttpError(ApiError):
    """An ApiError with the chat modules' argument order (status, code, field, message)."""

    def __init__(self, status: int, code: str, field: str | None, message: str) -> None:
        super().__init__(status, code, message, field)


def tokens_for(runtime: Runtime) -> ConversationTokens:
    settings = runtime.settings
    return ConversationTokens(settings.effective_secret_key, settings.chat_token_ttl_seconds)


def conversation_for_token(session: Session, runtime: Runtime, token: object) -> ChatConversation:
    """The conversation a token names, if its signature, age and nonce all hold."""
    try:
        claim = tokens_for(runtime).read(token)
    except TokenError as exc:
        raise ChatHttpError(401, exc.code, "token", exc.message) from None
    conversation = session.get(ChatConversation, claim.conversation_id)
    # Same answer for "no such conversation" and "revoked": a token tells nothing more.
    if conversation is None or not hmac.compare_digest(conversation.token_nonce, claim.nonce):
        raise ChatHttpError(401, "invalid_token", "token", "the conversation token is not valid")
    return conversation


def require_presented_token() -> str:
    """The token the request presents (`Authorization: Bearer`, or `?token=` on a GET, for
    links); 401 when there is none, before any of the request's body is looked at."""
    header = request.headers.get("Authorization", "")
    token: str | None = (
        header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    )
    if token is None and request.method == "GET":
        token = request.args.get("token")
    if not token:
        raise ChatHttpError(
            401,
            "invalid_token",
            "token",
            "send the conversation token: Authorization: Bearer <token>",
        )
    return token


def conversation_from_bearer(
    session: Session, runtime: Runtime, conversation_id: str | None = None
) -> ChatConversation:
    """The conversation of `Authorization: Bearer <token>` (or `?token=` on GETs, for links).

    With `conversation_id` (from the path), a token for another conversation is refused.
    """
    token = require_presented_token()
    conversation = conversation_for_token(session, runtime, token)
    if conversation_id is not None and conversation.id != conversation_id:
        raise ChatHttpError(
            403, "forbidden", "conversation_id", "this token belongs to another conversation"
        )
    return conversation


def own_origin(runtime: Runtime) -> str:
    return origin_of(runtime.settings.public_base_url)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_allowed(site: ChatSite, origin: str | None, runtime: Runtime) -> bool:
    """A site's widget runs only on its listed origins (and on our own pages, e.g. /chat/demo).

    Browsers always send Origin on cross-origin fetches, POSTs and websocket handshakes, so a
    request without one comes from our own origin or from a non-browser client holding the
    public key; neither gets past what the token and the rate limits already guard.
    """
    if not origin:
        return True
    wanted = origin.lower().rstrip("/")
    if wanted == own_origin(runtime):
        return True
    return wanted in {o.lower().rstrip("/") for o in site.allowed_origins or []}


def check_origin(site: ChatSite, runtime: Runtime) -> None:
    if not origin_allowed(site, request.headers.get("Origin"), runtime):
        raise ChatHttpError(
            403,
            "origin_not_allowed",
            "Origin",
            f"chat is not enabled on {request.headers.get('Origin')}; "
            "an administrator can add it to the site's allowed origins",
        )
