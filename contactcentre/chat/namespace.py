"""The customers' Socket.IO namespace /chat: a conversation token opens exactly one
conversation's room; messages, typing and read marks go through the chat service."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request
from flask_socketio import ConnectionRefusedError as Refused
from flask_socketio import Namespace, emit, join_room

from contactcentre.chat.access import ChatHttpError, conversation_for_token, origin_allowed
from contactcentre.chat.conversations import OPEN_STATUSES, chat_service
from contactcentre.chat.limits import RateLimiter
from contactcentre.chat.messages import MessageError, history
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.rooms import AGENT_NS, CHAT_NS, chat_room, interaction_room
from contactcentre.store.models import ChatConversation, ChatSite

log = logging.getLogger(__name__)
PRESENT = "cc:chat:present:"  # + conversation id -> hash sid -> last seen (epoch seconds)
AWAY = "cc:chat:away"  # sorted set: conversation id -> when its last socket went away


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


class ChatNamespace(Namespace):  # type: ignore[misc]  # Flask-SocketIO is untyped
    def __init__(self) -> None:
        super().__init__(CHAT_NS)
        self._lock = threading.Lock()
        self._conversation_of: dict[
            str, tuple[str, str, str]
        ] = {}  # sid -> (conv, interaction, visitor)

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
            ids = (conversation.id, conversation.interaction_id, conversation.visitor_id)
        with self._lock:
            self._conversation_of[_sid()] = ids
        join_room(chat_room(ids[0]))
        self._present(runtime, ids[0])
        emit("history", {"messages": missed, **status})

    def on_disconnect(self, *_reason: Any) -> None:
        with self._lock:
            ids = self._conversation_of.pop(_sid(), None)
        if ids is None:
            return
        runtime = _runtime()
        client = runtime.redis
        client.hdel(PRESENT + ids[0], _sid())
        if not client.hlen(PRESENT + ids[0]):
            # Nobody left on this conversation: the abandon sweep starts counting.
            client.zadd(AWAY, {ids[0]: time.time()})

    def _present(self, runtime: Runtime, conversation_id: str) -> None:
        client = runtime.redis
        pipe = client.pipeline(transaction=False)
        pipe.hset(PRESENT + conversation_id, _sid(), time.time())
        pipe.expire(PRESENT + conversation_id, 86_400)
        pipe.zrem(AWAY, conversation_id)
        pipe.execute()

    def _ids(self) -> tuple[str, str, str] | None:
        with self._lock:
            return self._conversation_of.get(_sid())

    # -- events --------------------------------------------------------------------------

    def on_message(self, data: Any) -> dict[str, Any]:
        ids = self._ids()
        if ids is None:
            return _error("not_connected", "reconnect with your conversation token")
        problem = _message_problem(data)
        if problem is not None:
            return problem
        body, client_id = data["body"], data.get("client_id")
        runtime = _runtime()
        verdict = RateLimiter(runtime.redis).hit(
            f"msg:{ids[2]}", runtime.settings.chat_messages_per_minute, 60
        )
        if not verdict.allowed:
            return _error(
                "rate_limited",
                f"you are sending messages too quickly; try again in {verdict.retry_after} s",
                retry_after=verdict.retry_after,
            )
        try:
            message = chat_service(runtime).customer_message(ids[0], body, client_id)
        except MessageError as exc:
            return _error(exc.code, exc.message, exc.field)
        return {"ok": True, "message": message}

    def on_typing(self, data: Any) -> dict[str, Any]:
        ids = self._ids()
        if ids is None:
            return _error("not_connected", "reconnect with your conversation token")
        active = bool(data.get("active")) if isinstance(data, dict) else False
        # Ephemeral: a plain emit through the message queue, not the numbered room log.
        emit(
            "chat_typing",
            {"interaction_id": ids[1], "who": "customer", "active": active},
            namespace=AGENT_NS,
            to=interaction_room(ids[1]),
        )
        return {"ok": True}

    def on_read(self, data: Any) -> dict[str, Any]:
        ids = self._ids()
        if ids is None:
            return _error("not_connected", "reconnect with your conversation token")
        seq = data.get("seq") if isinstance(data, dict) else None
        if not isinstance(seq, int) or seq < 0:
            return _error("invalid", "seq must be a message number", "seq")
        runtime = _runtime()
        with runtime.db.session() as session:
            conversation = session.get(ChatConversation, ids[0])
            if conversation is None:
                return _error("not_found", "no such conversation")
            seq = min(seq, conversation.last_seq)
            if seq <= conversation.customer_read_seq:
                return {"ok": True, "seq": conversation.customer_read_seq}
            conversation.customer_read_seq = seq
            conversation.customer_seen_at = datetime.now(UTC)
            session.commit()
        chat_service(runtime).emitter.emit(
            interaction_room(ids[1]), "chat_read", {"who": "customer", "seq": seq}
        )
        return {"ok": True, "seq": seq}

    def on_status(self, _data: Any = None) -> dict[str, Any]:
        ids = self._ids()
        if ids is None:
            return _error("not_connected", "reconnect with your conversation token")
        runtime = _runtime()
        self._present(runtime, ids[0])
        with runtime.db.session() as session:
            conversation = session.get(ChatConversation, ids[0])
            if conversation is None:
                return _error("not_found", "no such conversation")
            return {"ok": True, **chat_service(runtime).status(session, conversation)}


def sweep_abandoned(runtime: Runtime, away_seconds: float, now: float | None = None) -> list[str]:
    """End conversations whose customer has had no socket for `away_seconds`; returns their ids.

    Run by the router process's leader (one sweeper), see contactcentre/router/process.py.
    """
    client = runtime.redis
    cutoff = (now if now is not None else time.time()) - away_seconds
    due: Any = client.zrangebyscore(AWAY, "-inf", cutoff, start=0, num=100)
    ended = []
    service = chat_service(runtime)
    for conversation_id in due:
        if client.zrem(AWAY, conversation_id) == 0:
            continue  # another sweeper took it
        if client.hlen(PRESENT + conversation_id):
            continue  # came back
        with runtime.db.session() as session:
            conversation = session.get(ChatConversation, conversation_id)
            still_open = conversation is not None and conversation.status in OPEN_STATUSES
        if still_open:
            service.close(conversation_id, by="timeout")
            ended.append(conversation_id)
    return ended
