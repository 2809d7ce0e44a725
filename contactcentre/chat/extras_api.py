"""The customer's end-of-chat actions: rating (CSAT), transcript by email, call me back,
leave a message. See docs/chat.md; the routes are registered by contactcentre.chat.web."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from contactcentre.chat.access import ChatHttpError
from contactcentre.chat.conversations import chat_service
from contactcentre.chat.customer_api import EMAIL, _conversation, _json_body, _text, cors
from contactcentre.chat.escalation import callback_number, callback_starter, request_callback
from contactcentre.chat.offline_messages import leave_message
from contactcentre.chat.ratings import COMMENT_MAX_CHARS, Rating, rate
from contactcentre.chat.transcripts import request_transcript
from contactcentre.platform.runtime import current_runtime

bp = Blueprint("chat_extras", __name__, url_prefix="/chat/api")
bp.after_request(cors)  # the widget's origin, as for the rest of /chat/api
EMAIL_MAX_CHARS = 254


def _email(body: dict[str, Any], *, required: bool) -> str | None:
    email = _text(body, "email", required=required, limit=EMAIL_MAX_CHARS)
    if email is not None and not EMAIL.match(email):
        raise ChatHttpError(
            422, "invalid_email", "email", f"{email!r} is not an email address like ann@example.com"
        )
    return email


@bp.post("/conversations/<conversation_id>/rating")
def rating(conversation_id: str) -> Any:
    """1-5 and a comment, once, after an agent has joined (a bot-only chat has no one to rate)."""
    runtime = current_runtime()
    body = _json_body()
    score: Any = body.get("score")  # Rating checks it is a whole number from 1 to 5
    given = Rating(score, _text(body, "comment", required=False, limit=COMMENT_MAX_CHARS))
    with runtime.db.session() as session:
        conversation = _conversation(session, conversation_id)
        stored = rate(session, chat_service(runtime).routing, conversation, given)
        return jsonify({"score": stored.score, "comment": stored.comment}), 201


@bp.post("/conversations/<conversation_id>/transcript")
def transcript(conversation_id: str) -> Any:
    """Email the transcript (an RQ job); at most three per conversation."""
    runtime = current_runtime()
    email = _email(_json_body(), required=True) or ""
    with runtime.db.session() as session:
        conversation = _conversation(session, conversation_id)
        job_id = request_transcript(runtime, conversation, email)
    return jsonify({"queued": True, "job_id": job_id}), 202


@bp.post("/conversations/<conversation_id>/callback")
def callback(conversation_id: str) -> Any:
    """Escalate to a phone call: a callback task, as the IVR's "call me back" makes."""
    runtime = current_runtime()
    raw = _text(_json_body(), "phone", required=True, limit=32) or ""
    number = callback_number(raw, runtime.settings.default_phone_region)
    with runtime.db.session() as session:
        _conversation(session, conversation_id)
    made = request_callback(chat_service(runtime), callback_starter(), conversation_id, number)
    return jsonify({"callback_id": made.callback_id, "number": made.number}), 202


@bp.post("/conversations/<conversation_id>/leave-message")
def leave_a_message(conversation_id: str) -> Any:
    """Nobody to chat with: the message becomes a task routed like an email."""
    runtime = current_runtime()
    body = _json_body()
    text = _text(body, "body", required=True, limit=runtime.settings.chat_max_message_chars) or ""
    email = _email(body, required=False)
    with runtime.db.session() as session:
        _conversation(session, conversation_id)
    left = leave_message(chat_service(runtime), conversation_id, text, email)
    return jsonify({"status": "left_message", "task_id": left.task_id}), 201
