"""The customer's end-of-chat actions: rating (CSAT), transcript by email, call me back,
leave a message. See docs/chat.md; the routes are registered by contactcentre.chat.web."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, jsonify

from contactcentre.chat.access import ChatHttpError
from contactcentre.chat.conversations import OPEN_STATUSES, chat_service
from contactcentre.chat.customer_api import EMAIL, _conversation, _json_body, _text, cors
from contactcentre.chat.limits import RateLimiter
from contactcentre.chat.messages import Author, deliver, post_message
from contactcentre.customers.errors import InvalidPhone
from contactcentre.customers.phones import normalize_phone
from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.platform.runtime import current_runtime
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import ChatConversation, CsatRating, Customer, Interaction, Message

bp = Blueprint("chat_extras", __name__, url_prefix="/chat/api")
bp.after_request(cors)  # the widget's origin, as for the rest of /chat/api
TRANSCRIPTS_PER_CONVERSATION = 3


@bp.post("/conversations/<conversation_id>/rating")
def rate(conversation_id: str) -> Any:
    """1-5 and a comment, once, after an agent has joined (a bot-only chat has no one to rate)."""
    runtime = current_runtime()
    body = _json_body()
    score = body.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ChatHttpError(
            422, "invalid_score", "score", "score must be a whole number from 1 to 5"
        )
    comment = _text(body, "comment", required=False, limit=2000)
    with runtime.db.session() as session:
        conversation = _conversation(session, conversation_id)
        interaction = session.get(Interaction, conversation.interaction_id)
        assert interaction is not None
        if session.query(CsatRating).filter_by(interaction_id=interaction.id).first():
            raise ChatHttpError(409, "already_rated", "score", "this chat has already been rated")
        if interaction.agent_id is None and not chat_service(runtime).routing.assigned_agent(
            interaction.id
        ):
            raise ChatHttpError(
                409, "nothing_to_rate", "score", "you can rate the chat once an agent has joined"
            )
        agent_id = interaction.agent_id or _int(
            chat_service(runtime).routing.assigned_agent(interaction.id)
        )
        now = datetime.now(UTC)
        session.add(
            CsatRating(
                interaction_id=interaction.id,
                channel="chat",
                agent_id=agent_id,
                score=score,
                comment=comment,
            )
        )
        event_log.append(
            session,
            NewEvent(
                interaction.id,
                "survey",
                now,
                f"{interaction.id}:survey",
                actor="customer",
                data={"score": score, "scale": 5, "agent_id": agent_id},
            ),
        )
        if conversation.customer_id is not None:
            customer = session.get(Customer, conversation.customer_id)
            if customer is not None:
                customer.satisfaction = score
        session.commit()
    return jsonify({"score": score, "comment": comment}), 201


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.post("/conversations/<conversation_id>/transcript")
def transcript(conversation_id: str) -> Any:
    """Email the transcript (an RQ job); at most three per conversation."""
    from rq import Queue, Retry

    from contactcentre.chat.transcripts import QUEUE, send_transcript

    runtime = current_runtime()
    body = _json_body()
    email = _text(body, "email", required=True, limit=254) or ""
    if not EMAIL.match(email):
        raise ChatHttpError(
            422, "invalid_email", "email", "enter an email address like ann@example.com"
        )
    with runtime.db.session() as session:
        conversation = _conversation(session, conversation_id)
    verdict = RateLimiter(runtime.redis).hit(
        f"transcript:{conversation.id}", TRANSCRIPTS_PER_CONVERSATION, 86_400
    )
    if not verdict.allowed:
        raise ChatHttpError(
            429, "rate_limited", "email", "the transcript has already been sent three times"
        )
    import redis

    queue = Queue(QUEUE, connection=redis.Redis.from_url(runtime.redis_url))
    job = queue.enqueue(
        send_transcript,
        conversation.id,
        email,
        retry=Retry(max=3, interval=[10, 60, 300]),
        job_timeout=60,
        result_ttl=86_400,
    )
    return jsonify({"queued": True, "job_id": job.id}), 202


@bp.post("/conversations/<conversation_id>/callback")
def call_me(conversation_id: str) -> Any:
    """Escalate to a phone call: a callback task routed like the IVR's "call me back"."""
    from contactcentre.voice.callbacks import start_callback
    from contactcentre.voice.webhooks import voice_context

    runtime = current_runtime()
    body = _json_body()
    raw = _text(body, "phone", required=True, limit=32) or ""
    try:
        number = normalize_phone(raw, runtime.settings.default_phone_region)
    except InvalidPhone as exc:
        raise ChatHttpError(422, "invalid_phone", "phone", str(exc)) from None
    with runtime.db.session() as session:
        conversation = _conversation(session, conversation_id)
        if conversation.status not in OPEN_STATUSES:
            raise ChatHttpError(409, "conversation_closed", None, "this conversation has ended")
        interaction_id = conversation.interaction_id
        event_log.append(
            session,
            NewEvent(
                interaction_id,
                "callback_requested",
                datetime.now(UTC),
                f"{interaction_id}:callback_requested",
                actor="customer",
                data={"source": "chat"},
            ),
        )
        session.commit()
    callback_id = start_callback(
        voice_context(),
        interaction_id,
        number=number,
        language=conversation.language,
        callback_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"chat-callback:{interaction_id}")),
        details={"source": "chat"},
    )
    service = chat_service(runtime)
    with runtime.db.session() as session:
        fresh = session.get(ChatConversation, conversation_id)
        assert fresh is not None
        posted = post_message(
            session,
            fresh,
            Author("system"),
            f"We will call you on {number}.",
            client_id=f"callback:{callback_id}",
        )
        session.commit()
        deliver(service.emitter, fresh, posted)
    return jsonify({"callback_id": callback_id, "number": number}), 202


@bp.post("/conversations/<conversation_id>/leave-message")
def leave_message(conversation_id: str) -> Any:
    """Nobody to chat with: the message becomes a task routed like an email."""
    runtime = current_runtime()
    body = _json_body()
    text = _text(body, "body", required=True, limit=runtime.settings.chat_max_message_chars) or ""
    given_email = _text(body, "email", required=False, limit=254)
    if given_email is not None and not EMAIL.match(given_email):
        raise ChatHttpError(
            422, "invalid_email", "email", "enter an email address like ann@example.com"
        )
    with runtime.db.session() as session:
        conversation = _conversation(session, conversation_id)
        email = given_email or conversation.visitor_email
        if not email:
            raise ChatHttpError(422, "required", "email", "leave an email address so we can reply")
        if conversation.status in ("closed", "left_message"):
            raise ChatHttpError(409, "conversation_closed", None, "this conversation has ended")
        chat = session.get(Interaction, conversation.interaction_id)
        customer = (
            session.get(Customer, conversation.customer_id) if conversation.customer_id else None
        )
        routing = RoutingClient(runtime.redis)
        message_task = routing.submit_task(
            session,
            channel="email",
            attributes={
                "intent": conversation.topic or "general",
                "source": "chat",
                "conversation_id": conversation.id,
            },
            customer=customer,
        )
        message_task.from_address = email
        message_task.subject = f"Chat message from {conversation.visitor_name or email}"
        session.add(
            Message(
                interaction_id=message_task.id,
                direction="in",
                sender="customer",
                body=text,
            )
        )
        if chat is not None and chat.status not in ("completed", "canceled"):
            chat.status = "completed"
            chat.ended_at = datetime.now(UTC)
        conversation.status = "left_message"
        conversation.closed_at = datetime.now(UTC)
        conversation.closed_by = "customer"
        session.commit()
        task_id = message_task.id
    return jsonify({"status": "left_message", "task_id": task_id}), 201
