"""The customers' Socket.IO namespace /chat: a conversation token opens exactly one
conversation's room; messages, typing and read marks go through the chat service.

Sockets are capped per conversation and per client address (chat.socket_caps), and each one's
events counted against the consoles' budget (realtime.limited_namespace): a refused event is
acknowledged with the error and also told to the client as a "refused" event.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request
from flask_socketio import ConnectionRefusedError as Refused
from flask_socketio import emit, join_room

from contactcentre.chat.access import ChatHttpError, conversation_for_token, origin_allowed
from contactcentre.chat.conversations import chat_service
from contactcentre.chat.limits import RateLimiter
from contactcentre.chat.messages import MessageError, history
from contactcentre.chat.presence import CustomerSockets, Visitor
from contactcentre.chat.socket_caps import client_address
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.event_limits import EventLimiter, Verdict
from contactcentre.realtime.limited_namespace import LimitedNamespace
from contactcentre.realtime.rooms import AGENT_NS, CHAT_NS, chat_room, interaction_room
from contactcentre.store.models import ChatConversation, ChatSite

log = logging.getLogger(__name__)
TYPING_REPEAT_SECONDS = 2.0


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["contactcentre"]
    return runtime


def _sid() -> str:
    return str(request.sid)  # type: ignore[attr-defined]  # set by Flask-SocketIO


def _error(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message, "field": field, **extra}}


def _message_problem(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict) or not isinstance(data.get("body"), str):
        return _error("required", "type a message", "body")
    if data.get("client_id") is not None and not isinstance(data["client_id"], str):
        return _error("invalid_client_id", "client_id must be text", "client_id")
    return None


def _too_many(full: str, runtime: Runtime) -> str:
    settings = runtime.settings
    if full == "conversation":
        return (
            "too_many_sockets: this chat is open in too many windows "
            f"({settings.chat_sockets_per_conversation} at most); close one, then reload"
        )
    return (
        "too_many_sockets: too many chats are open from your network "
        f"({settings.chat_sockets_per_address} at most); close one or try again later"
    )


class ChatNamespace(LimitedNamespace):
    def __init__(self, sockets: CustomerSockets, limiter: EventLimiter) -> None:
        super().__init__(CHAT_NS, limiter)
        self._sockets = sockets
        self._typing_lock = threading.Lock()
        self._typing: dict[str, tuple[bool, float]] = {}  # sid -> (active, when relayed)

    # -- connection ----------------------------------------------------------------------

    def on_connect(self, auth: Any = None) -> None:
        runtime = _runtime()
        token = auth.get("token") if isinstance(auth, dict) else None
        last_seq = auth.get("last_seq", 0) if isinstance(auth, dict) else 0
        if not isinstance(last_seq, int) or last_seq < 0:
            last_seq = 0
        with runtime.db.session() as session:
            try:
                conversation = conversation_for_token(session, runtime, token)
            except ChatHttpError as exc:
                raise Refused(f"{exc.code}: {exc.message}") from None
            site = session.get(ChatSite, conversation.site_id)
            if site is None or not site.active:
                raise Refused("site_disabled: chat is no longer enabled on this site")
            if not origin_allowed(site, request.headers.get("Origin"), runtime):
                raise Refused("origin_not_allowed: chat is not enabled on this site")
            missed = history(session, conversation, after_seq=last_seq)
            status = chat_service(runtime).status(session, conversation)
            visitor = Visitor(conversation.id, conversation.interaction_id, conversation.visitor_id)
        address = client_address(request.environ, runtime.settings.behind_proxy)
        full = self._sockets.add(_sid(), visitor, address)
        if full is not None:
            raise Refused(_too_many(full, runtime))
        join_room(chat_room(visitor.conversation_id))
        emit("history", {"messages": missed, **status})

    def on_disconnect(self, *_reason: Any) -> None:
        # The abandon clock starts now unless another socket of the conversation vouches.
        self._sockets.remove(_sid())
        with self._typing_lock:
            self._typing.pop(_sid(), None)

    def _visitor(self) -> Visitor | None:
        return self._sockets.get(_sid())

    def refused(self, sid: str, event: str, verdict: Verdict) -> dict[str, Any]:
        """Acknowledged with the error, and told as a "refused" event too (typing and read
        marks are sent without waiting for an acknowledgement)."""
        if verdict is Verdict.DISCONNECT:
            reply = _error(
                "too_many_events",
                "this chat sent too many events too fast and was disconnected; reload the page",
            )
        else:
            wait = math.ceil(1 / self._limiter.budget.per_second)
            reply = _error(
                "rate_limited",
                f"this chat is sending events too fast; try again in {wait} s",
                retry_after=wait,
            )
        self.socketio.emit("refused", {**reply["error"], "event": event}, to=sid, namespace=CHAT_NS)
        return reply

    def describe(self, sid: str) -> str:
        visitor = self._sockets.get(sid)
        return f"conversation {visitor.conversation_id}" if visitor else "no conversation"

    # -- events --------------------------------------------------------------------------

    def on_message(self, data: Any) -> dict[str, Any]:
        visitor = self._visitor()
        if visitor is None:
            return _error("not_connected", "reconnect with your conversation token")
        problem = _message_problem(data)
        if problem is not None:
            return problem
        body, client_id = data["body"], data.get("client_id")
        runtime = _runtime()
        verdict = RateLimiter(runtime.redis).hit(
            f"msg:{visitor.visitor_id}", runtime.settings.chat_messages_per_minute, 60
        )
        if not verdict.allowed:
            return _error(
                "rate_limited",
                f"you are sending messages too quickly; try again in {verdict.retry_after} s",
                retry_after=verdict.retry_after,
            )
        try:
            message = chat_service(runtime).customer_message(
                visitor.conversation_id, body, client_id
            )
        except MessageError as exc:
            return _error(exc.code, exc.message, exc.field)
        return {"ok": True, "message": message}

    def on_typing(self, data: Any) -> dict[str, Any]:
        visitor = self._visitor()
        if visitor is None:
            return _error("not_connected", "reconnect with your conversation token")
        active = bool(data.get("active")) if isinstance(data, dict) else False
        if not self._typing_changed(_sid(), active):
            return {"ok": True}  # a repeat within the interval: the agents already know
        # Ephemeral: a plain emit through the message queue, not the numbered room log.
        emit(
            "chat_typing",
            {"interaction_id": visitor.interaction_id, "who": "customer", "active": active},
            namespace=AGENT_NS,
            to=interaction_room(visitor.interaction_id),
        )
        return {"ok": True}

    def _typing_changed(self, sid: str, active: bool) -> bool:
        """Relay a change at once and a repeated "still typing" at most every few seconds, so a
        chatty page cannot flood the message queue."""
        now = time.monotonic()
        with self._typing_lock:
            last = self._typing.get(sid)
            if last is not None and last[0] == active and now - last[1] < TYPING_REPEAT_SECONDS:
                return False
            self._typing[sid] = (active, now)
            return True

    def on_read(self, data: Any) -> dict[str, Any]:
        visitor = self._visitor()
        if visitor is None:
            return _error("not_connected", "reconnect with your conversation token")
        seq = data.get("seq") if isinstance(data, dict) else None
        if not isinstance(seq, int) or seq < 0:
            return _error("invalid", "seq must be a message number", "seq")
        runtime = _runtime()
        with runtime.db.session() as session:
            conversation = session.get(ChatConversation, visitor.conversation_id)
            if conversation is None:
                return _error("not_found", "no such conversation")
            seq = min(seq, conversation.last_seq)
            if seq <= conversation.customer_read_seq:
                return {"ok": True, "seq": conversation.customer_read_seq}
            conversation.customer_read_seq = seq
            conversation.customer_seen_at = datetime.now(UTC)
            session.commit()
        chat_service(runtime).emitter.emit(
            interaction_room(visitor.interaction_id), "chat_read", {"who": "customer", "seq": seq}
        )
        return {"ok": True, "seq": seq}

    def on_status(self, _data: Any = None) -> dict[str, Any]:
        visitor = self._visitor()
        if visitor is None:
            return _error("not_connected", "reconnect with your conversation token")
        runtime = _runtime()
        with runtime.db.session() as session:
            conversation = session.get(ChatConversation, visitor.conversation_id)
            if conversation is None:
                return _error("not_found", "no such conversation")
            return {"ok": True, **chat_service(runtime).status(session, conversation)}
