"""The customer's end-of-chat actions: rating (CSAT), transcript by email, call me back,
leave a message. See docs/chat.md; the routes are registered by contactcentre.chat.web."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import APIBlueprint

from contactcentre.chat.access import ChatHttpError
from contactcentre.chat.conversations import chat_service
from contactcentre.chat.customer_api import (
    CHAT_ERRORS,
    CONVERSATION,
    TAGS,
    _conversation,
    cors,
    screen,
)
from contactcentre.chat.escalation import callback_number, callback_starter, request_callback
from contactcentre.chat.offline_messages import leave_message
from contactcentre.chat.ratings import Rating, rate
from contactcentre.chat.schemas import (
    CallbackIn,
    CallbackOut,
    ConversationPath,
    LeaveMessageIn,
    LeftMessageOut,
    RatingIn,
    RatingOut,
    TranscriptIn,
    TranscriptOut,
)
from contactcentre.chat.transcripts import request_transcript
from contactcentre.platform.runtime import current_runtime

bp = APIBlueprint(
    "chat_extras", __name__, url_prefix="/chat/api", abp_tags=TAGS, abp_security=CONVERSATION
)
bp.before_request(screen)
bp.after_request(cors)  # the widget's origin, as for the rest of /chat/api


@bp.post("/conversations/<conversation_id>/rating", responses={201: RatingOut, **CHAT_ERRORS})
def rating(path: ConversationPath, body: RatingIn) -> Any:
    """1-5 and a comment, once, after an agent has joined (a bot-only chat has no one to rate)."""
    runtime = current_runtime()
    given = Rating(body.score, body.comment)
    with runtime.db.session() as session:
        conversation = _conversation(session, path.conversation_id)
        stored = rate(session, chat_service(runtime).routing, conversation, given)
        return {"score": stored.score, "comment": stored.comment}, 201


@bp.post(
    "/conversations/<conversation_id>/transcript", responses={202: TranscriptOut, **CHAT_ERRORS}
)
def transcript(path: ConversationPath, body: TranscriptIn) -> Any:
    """Email the transcript (an RQ job); at most three per conversation."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        conversation = _conversation(session, path.conversation_id)
        job_id = request_transcript(runtime, conversation, body.email)
    return {"queued": True, "job_id": job_id}, 202


@bp.post("/conversations/<conversation_id>/callback", responses={202: CallbackOut, **CHAT_ERRORS})
def callback(path: ConversationPath, body: CallbackIn) -> Any:
    """Escalate to a phone call: a callback task, as the IVR's "call me back" makes."""
    runtime = current_runtime()
    number = callback_number(body.phone, runtime.settings.default_phone_region)
    with runtime.db.session() as session:
        _conversation(session, path.conversation_id)
    made = request_callback(chat_service(runtime), callback_starter(), path.conversation_id, number)
    return {"callback_id": made.callback_id, "number": made.number}, 202


@bp.post(
    "/conversations/<conversation_id>/leave-message",
    responses={201: LeftMessageOut, **CHAT_ERRORS},
)
def leave_a_message(path: ConversationPath, body: LeaveMessageIn) -> Any:
    """Nobody to chat with: the message becomes a task routed like an email."""
    runtime = current_runtime()
    text = body.body.strip()
    limit = runtime.settings.chat_max_message_chars
    if not text:
        raise ChatHttpError(422, "required", "body", "body is required")
    if len(text) > limit:
        raise ChatHttpError(
            422, "too_long", "body", f"body is limited to {limit} characters, got {len(text)}"
        )
    with runtime.db.session() as session:
        _conversation(session, path.conversation_id)
    left = leave_message(chat_service(runtime), path.conversation_id, text, body.email)
    return {"status": "left_message", "task_id": left.task_id}, 201
