"""/api/v1/chats: the agent's side of a chat (history, reply, attach, read, end) and the
supervisor's (monitor, whisper, barge). Rules live in contactcentre.chat; views stay thin."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from contactcentre.auth.access import api_user, require_api_role
from contactcentre.chat import agent_side, supervision
from contactcentre.chat.agent_side import ChatRefused
from contactcentre.chat.attachments import AttachmentError, store_attachment
from contactcentre.chat.conversations import chat_service
from contactcentre.chat.messages import MessageError, history
from contactcentre.chat.schemas import MessageOut, StatusOut
from contactcentre.errors import ApiError
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import ChatConversation, Role
from contactcentre.webapi.common import ERRORS, INT32_MAX, SECURITY, Body

api = APIBlueprint(
    "chats", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="chats")], abp_security=SECURITY
)


class ChatPath(BaseModel):
    interaction_id: str = Field(max_length=64)


class MessageIn(Body):
    body: str = Field(min_length=1, max_length=20_000)
    client_id: str | None = Field(None, min_length=1, max_length=64)


class WhisperIn(Body):
    body: str = Field(min_length=1, max_length=supervision.WHISPER_MAX_CHARS)


class ReadIn(Body):
    seq: int = Field(ge=0, le=INT32_MAX)


class ChatSummary(StatusOut):
    visitor_name: str | None
    visitor_email: str | None
    topic: str | None
    customer_id: int | None
    customer_read_seq: int = Field(description="the last message the customer has seen")
    agent_read_seq: int = Field(description="the last message the agent has seen")


class ChatOut(ChatSummary):
    messages: list[MessageOut] = Field(description="oldest first, whispers included")


class MonitorOut(ChatOut):
    room: str = Field(description="the Socket.IO room that carries what follows")


class ReadOut(BaseModel):
    agent_read_seq: int


class BargeOut(BaseModel):
    barged: bool
    message: MessageOut = Field(description="the announcement shown to the customer")


@contextmanager
def _chat(interaction_id: str) -> Iterator[tuple[Session, ChatConversation]]:
    """A session and the chat the caller may see; the rules' refusals become API errors."""
    runtime = current_runtime()
    try:
        with runtime.db.session() as session:
            yield session, agent_side.find_chat(runtime, session, api_user(), interaction_id)
    except ChatRefused as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.field) from None
    except MessageError as exc:
        raise ApiError(422, exc.code, exc.message, exc.field) from None


def _summary(session: Session, conversation: ChatConversation) -> dict[str, Any]:
    return {
        "interaction_id": conversation.interaction_id,
        "conversation_id": conversation.id,
        "visitor_name": conversation.visitor_name,
        "visitor_email": conversation.visitor_email,
        "topic": conversation.topic,
        "customer_id": conversation.customer_id,
        "customer_read_seq": conversation.customer_read_seq,
        "agent_read_seq": conversation.agent_read_seq,
        **chat_service(current_runtime()).status(session, conversation),
    }


def _writing(
    conversation: ChatConversation, *, must_be_open: bool = True
) -> agent_side.Participant:
    if must_be_open:
        agent_side.require_open(conversation)
    return agent_side.participant(current_runtime(), api_user(), conversation)


@api.get("/chats/<interaction_id>", responses={200: ChatOut, **ERRORS})
@require_api_role(Role.AGENT)
def get_chat(path: ChatPath) -> Any:
    """The conversation with its status, read marks and full history (whispers included)."""
    with _chat(path.interaction_id) as (session, conversation):
        return {
            **_summary(session, conversation),
            "messages": history(session, conversation, include_internal=True),
        }


@api.post("/chats/<interaction_id>/messages", responses={201: MessageOut, **ERRORS})
@require_api_role(Role.AGENT)
def send_message(path: ChatPath, body: MessageIn) -> Any:
    """A reply from the chat's agent (or a supervisor who barged in); resends keep one copy."""
    with _chat(path.interaction_id) as (session, conversation):
        writer = _writing(conversation)
        posted = agent_side.reply(
            current_runtime(), session, conversation, writer, body.body, client_id=body.client_id
        )
        return posted.payload, 201


@api.post("/chats/<interaction_id>/attachments", responses={201: MessageOut, **ERRORS})
@require_api_role(Role.AGENT)
def send_attachment(path: ChatPath) -> Any:
    """A file from the chat's agent (multipart field `file`, optional `client_id`)."""
    from contactcentre.chat.customer_api import allow_attachment_body

    runtime = current_runtime()
    allow_attachment_body(runtime)
    with _chat(path.interaction_id) as (session, conversation):
        writer = _writing(conversation)
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(422, "required", "attach a file in the form field 'file'", "file")
        try:
            message = store_attachment(
                session,
                runtime,
                conversation,
                upload,
                uploaded_by=writer.author.sender,
                client_id=request.form.get("client_id") or None,
            )
        except AttachmentError as exc:
            raise ApiError(exc.status, exc.code, exc.message, "file") from None
        return message, 201


@api.post("/chats/<interaction_id>/read", responses={200: ReadOut, **ERRORS})
@require_api_role(Role.AGENT)
def mark_read(path: ChatPath, body: ReadIn) -> Any:
    """The agent has read up to `seq`; the customer sees it. Monitoring never calls this."""
    with _chat(path.interaction_id) as (session, conversation):
        writer = _writing(conversation, must_be_open=False)
        seq = agent_side.mark_read(current_runtime(), session, conversation, writer, body.seq)
        return {"agent_read_seq": seq}


@api.post("/chats/<interaction_id>/close", responses={200: StatusOut, **ERRORS})
@require_api_role(Role.AGENT)
def close_chat(path: ChatPath) -> Any:
    """The agent ends the chat: the customer is asked to rate it; the agent wraps up."""
    with _chat(path.interaction_id) as (session, conversation):
        writer = _writing(conversation)
        return agent_side.end_chat(current_runtime(), session, conversation, writer)


@api.post("/chats/<interaction_id>/monitor", responses={200: MonitorOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def monitor(path: ChatPath) -> Any:
    """Silent monitoring (audited): the history now, then the interaction room; no read mark
    moves."""
    with _chat(path.interaction_id) as (session, conversation):
        return {**_summary(session, conversation), **supervision.monitor(session, conversation)}


@api.post("/chats/<interaction_id>/whisper", responses={201: MessageOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def whisper(path: ChatPath, body: WhisperIn) -> Any:
    """A private note to the agent (audited): never shown to the customer nor in their
    transcript."""
    with _chat(path.interaction_id) as (session, conversation):
        agent_side.require_open(conversation)
        posted = supervision.whisper(
            current_runtime(), session, conversation, api_user(), body.body
        )
        return posted.payload, 201


@api.post("/chats/<interaction_id>/barge", responses={200: BargeOut, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def barge(path: ChatPath) -> Any:
    """The supervisor joins the conversation (audited): announced to the customer, may then
    write with POST …/messages."""
    with _chat(path.interaction_id) as (session, conversation):
        agent_side.require_open(conversation)
        posted = supervision.barge(current_runtime(), session, conversation, api_user())
        return {"barged": True, "message": posted.payload}
