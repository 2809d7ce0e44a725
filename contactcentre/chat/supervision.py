"""A supervisor in a live chat: silent monitoring, whispers only the agent sees, and barging in.
Each is audited; none moves a read mark.

Who barged in is kept in Redis (a set per interaction, for a day): it is live state of one
chat, read on every staff write, and needs no history beyond the audit entry.
"""

from __future__ import annotations

from typing import Any

import redis
from sqlalchemy.orm import Session

from contactcentre.chat.conversations import chat_service
from contactcentre.chat.messages import Author, Posted, deliver, history, post_message
from contactcentre.platform.audit import audit
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.rooms import interaction_room
from contactcentre.store.models import ChatConversation, User

BARGED = "cc:chat:barged:"  # + interaction id -> set of supervisor user ids in the conversation
BARGED_TTL_SECONDS = 86_400
WHISPER_MAX_CHARS = 4000


def has_barged(client: redis.Redis, interaction_id: str, user_id: int) -> bool:
    return bool(client.sismember(BARGED + interaction_id, str(user_id)))


def monitor(session: Session, conversation: ChatConversation) -> dict[str, Any]:
    """Audited; the history (whispers included) and the room to join for what follows."""
    audit(session, "chat.monitor", "interaction", conversation.interaction_id)
    session.commit()
    return {
        "room": interaction_room(conversation.interaction_id),
        "messages": history(session, conversation, include_internal=True),
    }


def whisper(
    runtime: Runtime, session: Session, conversation: ChatConversation, user: User, body: str
) -> Posted:
    """A note for the agent only (visibility "agents"): never in the customer's room, history
    or transcript."""
    posted = post_message(
        session,
        conversation,
        Author("supervisor", user.id),
        body,
        visibility="agents",
        max_chars=WHISPER_MAX_CHARS,
    )
    audit(
        session,
        "chat.whisper",
        "interaction",
        conversation.interaction_id,
        {"seq": posted.payload["seq"]},
    )
    session.commit()
    deliver(chat_service(runtime).emitter, conversation, posted)
    return posted


def barge(runtime: Runtime, session: Session, conversation: ChatConversation, user: User) -> Posted:
    """The supervisor joins: "<name> (supervisor) joined the chat." and may write from now on.
    Barging twice announces once (audited each time)."""
    key = BARGED + conversation.interaction_id
    runtime.redis.sadd(key, str(user.id))
    runtime.redis.expire(key, BARGED_TTL_SECONDS)
    posted = post_message(
        session,
        conversation,
        Author("system"),
        f"{user.name} (supervisor) joined the chat.",
        client_id=f"barge:{user.id}",
    )
    audit(session, "chat.barge", "interaction", conversation.interaction_id)
    session.commit()
    deliver(chat_service(runtime).emitter, conversation, posted)
    return posted
