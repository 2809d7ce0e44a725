"""The staff side of a chat: who may write in it (its agent, or a supervisor who barged in),
replies, read marks and ending it. The HTTP views and the /agent typing handler call only this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.chat.conversations import OPEN_STATUSES, chat_service
from contactcentre.chat.messages import Author, Posted, deliver, post_message
from contactcentre.chat.supervision import has_barged
from contactcentre.cti.access import may_see_interaction
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.desk import Desk
from contactcentre.realtime.rooms import chat_room
from contactcentre.store.models import ChatConversation, Role, User


class ChatRefused(Exception):
    """A staff action the rules refuse, with the HTTP status, a stable code and the field."""

    def __init__(self, status: int, code: str, message: str, field: str = "interaction_id"):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


@dataclass(frozen=True)
class Participant:
    """A member of staff who may write in a chat, as the customer will see them."""

    author: Author
    name: str


def find_chat(
    runtime: Runtime, session: Session, user: User, interaction_id: str
) -> ChatConversation:
    """The chat of an interaction the user may see (its agent, or any supervisor)."""
    conversation = session.scalars(
        select(ChatConversation).where(ChatConversation.interaction_id == interaction_id)
    ).first()
    if conversation is None:
        raise ChatRefused(404, "not_found", f"no chat with id {interaction_id}")
    if not may_see_interaction(session, Desk(runtime.redis), user, interaction_id):
        raise ChatRefused(403, "forbidden", "this chat is not yours")
    return conversation


def participant(runtime: Runtime, user: User, conversation: ChatConversation) -> Participant:
    """The assigned agent, or a supervisor who barged in; anyone else may only read."""
    assigned = chat_service(runtime).routing.assigned_agent(conversation.interaction_id)
    if user.agent is not None and assigned is not None and str(user.agent.id) == assigned:
        return Participant(Author("agent", user.agent.id), user.agent.display_name)
    if user.has_role(Role.SUPERVISOR) and has_barged(
        runtime.redis, conversation.interaction_id, user.id
    ):
        return Participant(Author("supervisor", user.id), user.name)
    raise ChatRefused(
        403, "forbidden", "only the chat's agent (or a supervisor who barged in) may write here"
    )


def require_open(conversation: ChatConversation) -> None:
    if conversation.status not in OPEN_STATUSES:
        raise ChatRefused(409, "conversation_closed", "this chat has ended")


def reply(
    runtime: Runtime,
    session: Session,
    conversation: ChatConversation,
    writer: Participant,
    body: str,
    *,
    client_id: str | None,
) -> Posted:
    """Store and deliver a staff message; a resend with the same client_id returns the first."""
    posted = post_message(
        session,
        conversation,
        writer.author,
        body,
        client_id=client_id,
        max_chars=runtime.settings.chat_max_message_chars,
        author_name=writer.name,
    )
    session.commit()
    deliver(chat_service(runtime).emitter, conversation, posted)
    return posted


def mark_read(
    runtime: Runtime,
    session: Session,
    conversation: ChatConversation,
    writer: Participant,
    seq: int,
) -> int:
    """The agent has read up to `seq` (never past the last message, never backwards); the
    customer is told. Only the chat's agent moves it: monitoring and barging never do."""
    if writer.author.kind != "agent":
        raise ChatRefused(403, "forbidden", "only the chat's agent moves its read mark", "seq")
    seq = min(seq, conversation.last_seq)
    if seq > conversation.agent_read_seq:
        conversation.agent_read_seq = seq
        session.commit()
        chat_service(runtime).emitter.emit(chat_room(conversation.id), "read", {"seq": seq})
    return conversation.agent_read_seq


def end_chat(
    runtime: Runtime, session: Session, conversation: ChatConversation, writer: Participant
) -> dict[str, Any]:
    """Staff end the chat: "<name> ended the chat.", the task completed (the agent wraps up)
    and the customer asked to rate it (`closed {by: "agent", rating: true}`)."""
    service = chat_service(runtime)
    posted = post_message(
        session,
        conversation,
        Author("system"),
        f"{writer.name} ended the chat.",
        client_id="closed",
    )
    session.commit()
    deliver(service.emitter, conversation, posted)
    # Closed before the router hears of it, so the sink's task_ended finds nothing to close.
    closed = service.close(conversation.id, by="agent")
    service.routing.complete(conversation.interaction_id)
    return closed


def typing_room(runtime: Runtime, user: User, interaction_id: str) -> tuple[str, str]:
    """The customer's room and the name to show for staff typing in a chat they may write in."""
    with runtime.db.session() as session:
        conversation = find_chat(runtime, session, user, interaction_id)
        require_open(conversation)
        writer = participant(runtime, user, conversation)
        return chat_room(conversation.id), writer.name
