"""Leave a message: outside business hours or with nobody signed in, the visitor's message
becomes a new email-channel interaction, routed like an email and answered by email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from contactcentre.chat.access import ChatHttpError
from contactcentre.chat.conversations import OPEN_STATUSES, ChatService
from contactcentre.customers.lookup import find_by_email
from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.interactions.opening import open_interaction
from contactcentre.store.models import ChatConversation, Customer, Interaction, Message


@dataclass(frozen=True)
class LeftMessage:
    task_id: str  # the email-channel interaction
    reply_to: str


def leave_message(
    service: ChatService, conversation_id: str, body: str, email: str | None
) -> LeftMessage:
    """Create and route the email task, end the chat as `left_message`, tell the widget.

    `email` (already checked) overrides the pre-chat one; with neither there is no way to
    reply, so it is refused naming `email`.
    """
    runtime = service.runtime
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, conversation_id)
        if conversation is None:
            raise LookupError(f"no conversation {conversation_id}")
        if conversation.status not in OPEN_STATUSES:
            raise ChatHttpError(
                409, "conversation_closed", None, "this chat has ended; start a new one"
            )
        reply_to = email or conversation.visitor_email
        if not reply_to:
            raise ChatHttpError(
                422, "required", "email", "leave an email address so we can reply to you"
            )
        chat = session.get(Interaction, conversation.interaction_id)
        if chat is None:
            raise LookupError(f"conversation {conversation_id} has no interaction")
        customer = _customer(session, conversation, reply_to)
        now = datetime.now(UTC)
        attributes = {
            "intent": conversation.topic or "general",
            "source": "chat",
            "conversation_id": conversation.id,
        }
        task = open_interaction(
            session,
            channel="email",
            customer_id=customer.id if customer else None,
            from_address=reply_to,
            subject=f"Chat message from {conversation.visitor_name or reply_to}",
            attributes=attributes,
            actor="customer",
            details={"source": "chat"},
            at=now,
        ).interaction
        session.add(Message(interaction_id=task.id, direction="in", sender="customer", body=body))
        service.routing.submit(session, task, attributes, priority=0, at=now)
        was = conversation.status
        conversation.status = "left_message"
        conversation.closed_at = now
        conversation.closed_by = "customer"
        event_log.append(
            session,
            NewEvent(
                chat.id,
                "customer_left",
                now,
                f"{chat.id}:customer_left",
                actor="customer",
                data={"while": was, "by": "customer", "left_message": task.id},
            ),
        )
        if was == "bot":
            # Never reached the ACD: the chat interaction ends here, as ChatService.close does.
            chat.status = "completed"
            chat.ended_at = now
            event_log.append(
                session,
                NewEvent(
                    chat.id,
                    "completed",
                    now,
                    f"{chat.id}:completed",
                    actor="customer",
                    data={"by": "customer", "left_message": True},
                ),
            )
        session.commit()
        if was == "queued":
            service.routing.cancel(chat.id, "left_message")
        elif was == "active":
            service.routing.complete(chat.id)  # its agent wraps up
        service.emit_status(session, conversation)
        return LeftMessage(task.id, reply_to)


def _customer(session: Session, conversation: ChatConversation, address: str) -> Customer | None:
    """The chat's identified customer, else the one customer this address belongs to."""
    if conversation.customer_id is not None:
        return session.get(Customer, conversation.customer_id)
    found = find_by_email(session, address)
    return found[0] if len(found) == 1 else None
