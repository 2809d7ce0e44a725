"""The one way a chat message is written and delivered: numbered and persisted, then emitted.

Every party (customer, agent, bot, supervisor, system notices) goes through `post_message`;
delivery happens only after the row is committed, so a delivered message is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.realtime.rooms import chat_room, interaction_room
from contactcentre.store.db import insert_for
from contactcentre.store.models import Agent, ChatConversation, Message, User

AuthorKind = Literal["customer", "agent", "bot", "system", "supervisor"]
Visibility = Literal["all", "agents"]
MESSAGE_EVENT = "message"  # on /chat, to the customer
AGENT_MESSAGE_EVENT = "chat_message"  # on /agent, to the interaction room


class MessageError(ValueError):
    """A message the rules refuse; `field` names the input, `code` is stable for clients."""

    def __init__(self, code: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


@dataclass(frozen=True)
class Author:
    kind: AuthorKind
    ident: int | None = None  # agent id for agents, user id for supervisors

    def __post_init__(self) -> None:
        if self.kind in ("agent", "supervisor") and self.ident is None:
            raise ValueError(f"an {self.kind} author needs its id")

    @property
    def sender(self) -> str:
        return self.kind if self.ident is None else f"{self.kind}:{self.ident}"

    @classmethod
    def from_sender(cls, sender: str) -> Author:
        kind, _, ident = sender.partition(":")
        return cls(kind, int(ident) if ident else None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Posted:
    """A persisted message, as both sides receive it; `created` is False for a resend."""

    payload: dict[str, Any]
    created: bool
    visibility: str = "all"
    extra_rooms: list[str] = field(default_factory=list)


def post_message(
    session: Session,
    conversation: ChatConversation,
    author: Author,
    body: str,
    *,
    client_id: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    visibility: Visibility = "all",
    max_chars: int | None = None,
    quick_replies: list[dict[str, str]] | None = None,
    author_name: str | None = None,
) -> Posted:
    """Number and store a message in the caller's transaction (commit, then `deliver`).

    The conversation row is locked while its counter moves, so concurrent senders get distinct,
    gap-free numbers; the same `client_id` from the same sender returns the stored message, even
    when two copies race. A customer's message also marks them seen. `author_name`: the
    writer's display name when the caller has it (saves looking it up on every message).
    """
    body = body.strip() if isinstance(body, str) else ""
    if not body and not attachments:
        raise MessageError("empty_message", "body", "type a message or attach a file")
    if max_chars is not None and len(body) > max_chars:
        raise MessageError(
            "message_too_long",
            "body",
            f"messages are limited to {max_chars} characters; this one has {len(body)}",
        )
    # The one write path, so sockets are covered too: PostgreSQL text cannot hold NUL.
    if "\x00" in body or (client_id is not None and "\x00" in client_id):
        field = "body" if "\x00" in body else "client_id"
        raise MessageError("nul_character", field, "text may not contain NUL (\\0) characters")
    if client_id is not None and (not client_id or len(client_id) > 64):
        raise MessageError("invalid_client_id", "client_id", "client_id must be 1-64 characters")
    now = datetime.now(UTC)
    row: dict[str, Any] = {
        "interaction_id": conversation.interaction_id,
        "direction": _direction(author, visibility),
        "sender": author.sender,
        "body": body,
        "attachments": list(attachments or []),
        "visibility": visibility,
        "client_id": client_id,
        "meta": {"quick_replies": quick_replies} if quick_replies else {},
        "created_at": now,
    }
    session.flush()  # the caller's pending rows first (the message refers to them)
    connection = session.connection()
    # Few statements, in Core, between the lock and the commit: on SQLite every writer in the
    # process waits for this transaction, and each statement is another turn at the GIL. The
    # UPDATE takes the conversation's write lock (a row lock on PostgreSQL, the database on
    # SQLite) and its next number at once: concurrent senders get distinct, gap-free numbers.
    statements = _statements(session.get_bind().dialect.name)
    if author.kind == "customer":  # a customer's message also marks them seen
        counter = connection.execute(statements.number_seen, {"cid": conversation.id, "now": now})
    else:
        counter = connection.execute(statements.number, {"cid": conversation.id})
    row["seq"] = counter.scalar_one()
    stored = connection.execute(statements.insert_message, row).first()
    if stored is None:
        # A resend of a stored message (same sender and client_id): give the number back and
        # answer with the first copy. Under the lock, so two racing copies agree.
        connection.execute(statements.give_back, {"cid": conversation.id})
        existing = session.scalars(
            select(Message).where(
                Message.interaction_id == conversation.interaction_id,
                Message.sender == author.sender,
                Message.client_id == client_id,
            )
        ).one()
        set_committed_value(conversation, "last_seq", row["seq"] - 1)
        return Posted(payload(session, conversation, existing), False, existing.visibility)
    set_committed_value(conversation, "last_seq", row["seq"])
    if author.kind == "customer":
        set_committed_value(conversation, "customer_seen_at", now)
    message = Message(**row)
    event_log.record(
        session,
        NewEvent(
            conversation.interaction_id,
            _event_type(author, visibility),
            now,
            f"{conversation.interaction_id}:msg:{row['seq']}",
            actor=author.sender,
            # Ids and sizes only: bodies are personal data and stay out of the log.
            data={"seq": row["seq"], "by": author.kind, "chars": len(body)},
        ),
    )
    names = None if author_name is None else {author.sender: author_name}
    return Posted(payload(session, conversation, message, names), True, visibility)


@dataclass(frozen=True)
class _Statements:
    """The hot path's statements, built once per dialect (building one costs more than
    running it) and run with parameters: numbering, storing, giving a number back."""

    number: Any
    number_seen: Any
    insert_message: Any
    give_back: Any


@cache
def _statements(dialect: str) -> _Statements:
    conversations = cast(Table, ChatConversation.__table__)
    messages = cast(Table, Message.__table__)
    number = (
        update(conversations)
        .where(conversations.c.id == bindparam("cid"))
        .values(last_seq=conversations.c.last_seq + 1)
        .returning(conversations.c.last_seq)
    )
    insert = insert_for(dialect)
    return _Statements(
        number=number,
        number_seen=number.values(customer_seen_at=bindparam("now")),
        # No row back when the sender already stored this client_id.
        insert_message=insert(messages)
        .on_conflict_do_nothing(index_elements=["interaction_id", "sender", "client_id"])
        .returning(messages.c.id),
        give_back=update(conversations)
        .where(conversations.c.id == bindparam("cid"))
        .values(last_seq=conversations.c.last_seq - 1),
    )


def deliver(emitter: RealtimeEmitter, conversation: ChatConversation, posted: Posted) -> None:
    """Send a committed message to the agents' interaction room and, unless a whisper, the
    customer's room."""
    batch = [(interaction_room(conversation.interaction_id), AGENT_MESSAGE_EVENT, posted.payload)]
    if posted.visibility == "all":
        batch.append((chat_room(conversation.id), MESSAGE_EVENT, posted.payload))
    emitter.emit_batch(batch)


def history(
    session: Session,
    conversation: ChatConversation,
    *,
    after_seq: int = 0,
    include_internal: bool = False,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Messages after `after_seq`, oldest first; whispers only when `include_internal`."""
    query = select(Message).where(
        Message.interaction_id == conversation.interaction_id,
        Message.seq.is_not(None),
        Message.seq > after_seq,
    )
    if not include_internal:
        query = query.where(Message.visibility == "all")
    rows = list(session.scalars(query.order_by(Message.seq).limit(limit)))
    names = _names(session, {row.sender for row in rows})
    return [payload(session, conversation, row, names) for row in rows]


def payload(
    session: Session,
    conversation: ChatConversation,
    message: Message,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The wire form of a message (docs/chat.md, "Message")."""
    if names is None:
        names = _names(session, {message.sender})
    author = Author.from_sender(message.sender)
    return {
        "conversation_id": conversation.id,
        "interaction_id": conversation.interaction_id,
        "seq": message.seq,
        "client_id": message.client_id,
        "author": {"kind": author.kind, "name": names.get(message.sender)},
        "body": message.body,
        "attachments": list(message.attachments or []),
        "visibility": message.visibility,
        "quick_replies": list((message.meta or {}).get("quick_replies", [])),
        "created_at": message.created_at.astimezone(UTC).isoformat(),
    }


def _names(session: Session, senders: set[str]) -> dict[str, str]:
    """Display names: agents by their agent name, supervisors by their user name."""
    agent_ids = {Author.from_sender(s).ident for s in senders if s.startswith("agent:")}
    user_ids = {Author.from_sender(s).ident for s in senders if s.startswith("supervisor:")}
    names: dict[str, str] = {"bot": "Assistant", "system": ""}
    if agent_ids:
        for agent_id, name in session.execute(
            select(Agent.id, Agent.display_name).where(Agent.id.in_(agent_ids))
        ):
            names[f"agent:{agent_id}"] = name
    if user_ids:
        for user_id, name in session.execute(
            select(User.id, User.name).where(User.id.in_(user_ids))
        ):
            names[f"supervisor:{user_id}"] = name
    return names


def _direction(author: Author, visibility: str) -> str:
    if visibility == "agents":
        return "internal"
    return "in" if author.kind == "customer" else "out"


def _event_type(author: Author, visibility: str) -> str:
    if visibility == "agents":
        return "message_internal"
    return "message_in" if author.kind == "customer" else "message_out"
