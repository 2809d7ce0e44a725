"""Escalation from chat to a phone call: the customer leaves a number and the voice channel's
callback (an outbound interaction routed to an agent, whose leg dials the customer) is made."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import phonenumbers
from flask import current_app

from contactcentre.chat.access import ChatHttpError
from contactcentre.chat.conversations import OPEN_STATUSES, ChatService
from contactcentre.chat.messages import Author, deliver, post_message
from contactcentre.customers.errors import InvalidPhone
from contactcentre.customers.phones import normalize_phone
from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.store.models import ChatConversation, Interaction


@dataclass(frozen=True)
class RequestedCallback:
    callback_id: str  # the outbound interaction's id
    number: str  # E.164


def callback_number(raw: str, default_region: str) -> str:
    """The number in E.164, or a 422 naming `phone` that says what is wrong with it."""
    try:
        return normalize_phone(raw, default_region)
    except InvalidPhone as exc:
        raise ChatHttpError(
            422,
            "invalid_phone",
            "phone",
            f"{raw!r} is {exc}; enter a number we can call, such as +1 415 555 0100",
        ) from None


class CallbackStarter(Protocol):
    """Creates a callback interaction for `original_id` and routes it (voice's start_callback,
    bound by the web's composition root); None when the original is gone."""

    def __call__(
        self,
        original_id: str,
        *,
        number: str,
        language: str,
        callback_id: str,
        details: dict[str, Any],
    ) -> str | None: ...


def callback_starter() -> CallbackStarter:
    """The current app's callback starter (app.extensions["chat.callbacks"])."""
    starter: CallbackStarter = current_app.extensions["chat.callbacks"]
    return starter


def callback_id_for(chat_interaction_id: str) -> str:
    """One callback per chat: a repeated request (a double click, a retry) finds the same one."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"chat-callback:{chat_interaction_id}"))


def request_callback(
    service: ChatService, start_callback: CallbackStarter, conversation_id: str, number: str
) -> RequestedCallback:
    """Create the callback task for an open chat, log it and tell the chat; idempotent for the
    same number, refused (409) for a second, different one."""
    db = service.runtime.db
    with db.session() as session:
        conversation = _open_conversation(session.get(ChatConversation, conversation_id))
        chat_id = conversation.interaction_id
        callback_id = callback_id_for(chat_id)
        existing = session.get(Interaction, callback_id)
        if existing is not None:
            if existing.to_address != number:
                raise ChatHttpError(
                    409,
                    "callback_already_requested",
                    "phone",
                    f"we will already call you on {readable(existing.to_address or '')}; "
                    "tell the agent in the chat if that number is wrong",
                )
            return RequestedCallback(callback_id, number)
        # Ids only: the number is personal data and lives on the callback interaction.
        event_log.append(
            session,
            NewEvent(
                chat_id,
                "callback_requested",
                datetime.now(UTC),
                f"{chat_id}:callback_requested",
                actor="customer",
                data={"source": "chat", "callback_id": callback_id},
            ),
        )
        session.commit()
        language = conversation.language
    made = start_callback(
        chat_id,
        number=number,
        language=language,
        callback_id=callback_id,
        details={"source": "chat", "conversation_id": conversation_id},
    )
    if made is None:
        raise LookupError(f"chat interaction {chat_id} is gone")
    with db.session() as session:
        chat = session.get(ChatConversation, conversation_id)
        if chat is None:
            raise LookupError(f"no conversation {conversation_id}")
        posted = post_message(
            session,
            chat,
            Author("system"),
            f"We'll call you on {readable(number)}.",
            client_id=f"callback:{callback_id}",
        )
        session.commit()
        deliver(service.emitter, chat, posted)
    return RequestedCallback(callback_id, number)


def readable(e164: str) -> str:
    """+14155550100 as "+1 415-555-0100", the way people read their own number."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _open_conversation(conversation: ChatConversation | None) -> ChatConversation:
    if conversation is None:
        raise LookupError("no such conversation")
    if conversation.status not in OPEN_STATUSES:
        raise ChatHttpError(
            409,
            "conversation_closed",
            None,
            "this chat has ended; start a new one to ask for a call",
        )
    return conversation
