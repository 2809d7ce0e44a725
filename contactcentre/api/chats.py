"""/api/v1/chats: the agent's side of a chat (history, reply, attach, read, end) and the
supervisor's (monitor, whisper, barge). Rules live in contactcentre.chat; views stay thin."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from contactcentre.api.common import ERRORS, SECURITY
from contactcentre.auth.access import api_user, require_api_role
from contactcentre.chat.attachments import AttachmentError, store_attachment
from contactcentre.chat.conversations import OPEN_STATUSES, chat_service
from contactcentre.chat.messages import Author, MessageError, deliver, history, post_message
from contactcentre.cti.access import may_see_interaction
from contactcentre.errors import ApiError
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import current_runtime
from contactcentre.realtime.desk import Desk
from contactcentre.realtime.rooms import chat_room
from contactcentre.store.models import Agent, ChatConversation, Role

api = APIBlueprint(
    "chats", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="chats")], abp_security=SECURITY
)
BARGED = "cc:chat:barged:"  # + interaction id -> set of supervisor user ids in the conversation


class ChatPath(BaseModel):
    interaction_id: str = Field(max_length=64)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=20_000)
    client_id: str | None = Field(None, min_length=1, max_length=64)


class WhisperIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=4000)


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seq: int = Field(ge=0)


def _conversation(session: Any, interaction_id: str) -> ChatConversation:
    runtime = current_runtime()
    conversation: ChatConversation | None = (
        session.query(ChatConversation).filter_by(interaction_id=interaction_id).one_or_none()
    )
    if conversation is None:
        raise ApiError(404, "not_found", f"no chat with id {interaction_id}", "interaction_id")
    if not may_see_interaction(session, Desk(runtime.redis), api_user(), interaction_id):
        raise ApiError(403, "forbidden", "this chat is not yours", "interaction_id")
    return conversation


def _author(conversation: ChatConversation) -> Author:
    """The assigned agent, or a supervisor who has barged in; anyone else may only read."""
    user = api_user()
    runtime = current_runtime()
    assigned = chat_service(runtime).routing.assigned_agent(conversation.interaction_id)
    if user.agent is not None and assigned is not None and str(user.agent.id) == assigned:
        return Author("agent", user.agent.id)
    if user.has_role(Role.SUPERVISOR) and runtime.redis.sismember(
        BARGED + conversation.interaction_id, str(user.id)
    ):
        return Author("supervisor", user.id)
    raise ApiError(
        403,
        "forbidden",
        "only the chat's agent (or a supervisor who barged in) may write here",
        "interaction_id",
    )


def _open(conversation: ChatConversation) -> None:
    if conversation.status not in OPEN_STATUSES:
        raise ApiError(409, "conversation_closed", "this chat has ended", "interaction_id")


def _summary(session: Any, conversation: ChatConversation) -> dict[str, Any]:
    runtime = current_runtime()
    return {
        "interaction_id": conversation.interaction_id,
        "conversation_id": conversation.id,
        "visitor_name": conversation.visitor_name,
        "visitor_email": conversation.visitor_email,
        "topic": conversation.topic,
        "customer_id": conversation.customer_id,
        "customer_read_seq": conversation.customer_read_seq,
        "agent_read_seq": conversation.agent_read_seq,
        **chat_service(runtime).status(session, conversation),
    }


@api.get("/chats/<interaction_id>", responses={200: None, **ERRORS})
@require_api_role(Role.AGENT)
def get_chat(path: ChatPath) -> Any:
    """The conversation with its full history, supervisors' whispers included."""
    with current_runtime().db.session() as session:
        conversation = _conversation(session, path.interaction_id)
        return {
            **_summary(session, conversation),
            "messages": history(session, conversation, include_internal=True),
        }


@api.post("/chats/<interaction_id>/messages", responses={201: None, **ERRORS})
@require_api_role(Role.AGENT)
def send_message(path: ChatPath, body: MessageIn) -> Any:
    runtime = current_runtime()
    with runtime.db.session() as session:
        conversation = _conversation(session, path.interaction_id)
        _open(conversation)
        author = _author(conversation)
        try:
            posted = post_message(
                session,
                conversation,
                author,
                body.body,
                client_id=body.client_id,
                max_chars=runtime.settings.chat_max_message_chars,
            )
        except MessageError as exc:
            raise ApiError(422, exc.code, exc.message, exc.field) from None
        session.commit()
        deliver(chat_service(runtime).emitter, conversation, posted)
        return posted.payload, 201


@api.post("/chats/<interaction_id>/attachments", responses={201: None, **ERRORS})
@require_api_role(Role.AGENT)
def send_attachment(path: ChatPath) -> Any:
    from contactcentre.chat.customer_api import allow_attachment_body

    runtime = current_runtime()
    allow_attachment_body(runtime)
    with runtime.db.session() as session:
        conversation = _conversation(session, path.interaction_id)
        _open(conversation)
        author = _author(conversation)
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(422, "required", "attach a file in the form field 'file'", "file")
        try:
            message = store_attachment(
                session,
                runtime,
                conversation,
                upload,
                uploaded_by=author.sender,
                client_id=request.form.get("client_id") or None,
            )
        except AttachmentError as exc:
            raise ApiError(exc.status, exc.code, exc.message, "file") from None
        return message, 201


@api.post("/chats/<interaction_id>/read", responses={200: None, **ERRORS})
@require_api_role(Role.AGENT)
def mark_read(path: ChatPath, body: ReadIn) -> Any:
    """The agent has read up to `seq`; the customer sees it. Monitoring never calls this."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        conversation = _conversation(session, path.interaction_id)
        author = _author(conversation)
        if author.kind != "agent":
            raise ApiError(403, "forbidden", "only the chat's agent moves its read mark", "seq")
        seq = min(body.seq, conversation.last_seq)
        if seq > conversation.agent_read_seq:
            conversation.agent_read_seq = seq
            session.commit()
            chat_service(runtime).emitter.emit(chat_room(conversation.id), "read", {"seq": seq})
        return {"agent_read_seq": conversation.agent_read_seq}


@api.post("/chats/<interaction_id>/close", responses={200: None, **ERRORS})
@require_api_role(Role.AGENT)
def close_chat(path: ChatPath) -> Any:
    """The agent ends the chat: the customer is asked to rate it; the agent wraps up."""
    runtime = current_runtime()
    service = chat_service(runtime)
    with runtime.db.session() as session:
        conversation = _conversation(session, path.interaction_id)
        _open(conversation)
        author = _author(conversation)
        name = _name(session, author)
        posted = post_message(
            session, conversation, Author("system"), f"{name} ended the chat.", client_id="closed"
        )
        session.commit()
        deliver(service.emitter, conversation, posted)
        conversation_id = conversation.id
    service.routing.complete(path.interaction_id)
    return service.close(conversation_id, by="agent")


def _name(session: Any, author: Author) -> str:
    if author.kind == "agent" and author.ident is not None:
        agent = session.get(Agent, author.ident)
        return agent.display_name if agent else "The agent"
    return api_user().name


@api.post("/chats/<interaction_id>/monitor", responses={200: None, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def monitor(path: ChatPath) -> Any:
    """Silent monitoring: the history now, then the interaction room; no read marks move."""
    with current_runtime().db.session() as session:
        conversation = _conversation(session, path.interaction_id)
        audit(session, "chat.monitor", "interaction", path.interaction_id)
        session.commit()
        return {
            **_summary(session, conversation),
            "room": f"interaction:{path.interaction_id}",
            "messages": history(session, conversation, include_internal=True),
        }


@api.post("/chats/<interaction_id>/whisper", responses={201: None, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def whisper(path: ChatPath, body: WhisperIn) -> Any:
    """A private note to the agent: never shown to the customer nor in their transcript."""
    runtime = current_runtime()
    with runtime.db.session() as session:
        conversation = _conversation(session, path.interaction_id)
        _open(conversation)
        posted = post_message(
            session,
            conversation,
            Author("supervisor", api_user().id),
            body.body,
            visibility="agents",
        )
        audit(
            session,
            "chat.whisper",
            "interaction",
            path.interaction_id,
            {"seq": posted.payload["seq"]},
        )
        session.commit()
        deliver(chat_service(runtime).emitter, conversation, posted)
        return posted.payload, 201


@api.post("/chats/<interaction_id>/barge", responses={200: None, **ERRORS})
@require_api_role(Role.SUPERVISOR)
def barge(path: ChatPath) -> Any:
    """The supervisor joins the conversation: announced to the customer, may then write."""
    runtime = current_runtime()
    user = api_user()
    with runtime.db.session() as session:
        conversation = _conversation(session, path.interaction_id)
        _open(conversation)
        runtime.redis.sadd(BARGED + path.interaction_id, str(user.id))
        runtime.redis.expire(BARGED + path.interaction_id, 86_400)
        posted = post_message(
            session,
            conversation,
            Author("system"),
            f"{user.name} (supervisor) joined the chat.",
            client_id=f"barge:{user.id}",
        )
        audit(session, "chat.barge", "interaction", path.interaction_id)
        session.commit()
        deliver(chat_service(runtime).emitter, conversation, posted)
        return {"barged": True, "message": posted.payload}
