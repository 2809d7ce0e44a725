"""A customer's conversation from the pre-chat form to close: the bot front, the hand-over to
the ACD, the customer's messages and leaving. Views and socket handlers call only this."""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from contactcentre.chat.attachments import storage_root
from contactcentre.chat.bot import BotTurn, ChatBot
from contactcentre.chat.messages import Author, deliver, history, post_message
from contactcentre.chat.presence import seen
from contactcentre.chat.sites import AgentsOnline, is_open
from contactcentre.chat.tokens import ConversationTokens
from contactcentre.customers.lookup import find_by_email
from contactcentre.interactions import event_log
from contactcentre.interactions.event_log import NewEvent
from contactcentre.interactions.opening import open_interaction
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.emitter import emitter_for
from contactcentre.realtime.rooms import chat_room, interaction_room
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import (
    Agent,
    ChatAttachment,
    ChatConversation,
    ChatSite,
    Customer,
    Interaction,
)

log = logging.getLogger(__name__)
LEAVE_MESSAGE = "cc:chat:leave:"  # + conversation id: the widget should offer "leave a message"
LEAVE_TTL_SECONDS = 86_400
OPEN_STATUSES = ("bot", "queued", "active")
NOBODY_THERE = (
    "No one is available to chat right now. Leave us a message and we will reply by email."
)


@dataclass(frozen=True)
class Started:
    conversation: ChatConversation
    token: str
    messages: list[dict[str, Any]]


class ChatService:
    """One per process (kept on the runtime): holds the bot and the emitter."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.emitter = emitter_for(runtime)
        self.routing = RoutingClient(runtime.redis)
        self.agents_online = AgentsOnline(runtime)
        settings = runtime.settings
        self.tokens = ConversationTokens(
            settings.effective_secret_key, settings.chat_token_ttl_seconds
        )
        self._bot: ChatBot | None = None

    @property
    def bot(self) -> ChatBot:
        """The chat bot (the IVR flow engine with the text renderer), loaded on first use."""
        if self._bot is None:
            self._bot = ChatBot(self.runtime)
        return self._bot

    # -- start ---------------------------------------------------------------------------

    def start(
        self,
        site: ChatSite,
        *,
        name: str,
        email: str | None,
        topic: str | None,
        language: str,
        visitor_id: str,
    ) -> Started:
        """The pre-chat form: the interaction, the conversation, its token, the first turn."""
        db = self.runtime.db
        with db.session() as session:
            customer = next(iter(find_by_email(session, email)), None) if email else None
            conversation_id = str(uuid.uuid4())
            attributes: dict[str, Any] = {
                "intent": topic or "general",
                "topic": topic or "general",
                "language": language,
                "site_id": site.id,
                "conversation_id": conversation_id,
            }
            if site.queue_id is not None:
                attributes["site_queue_id"] = site.queue_id
            interaction = open_interaction(
                session,
                channel="chat",
                external_id=conversation_id,
                customer_id=customer.id if customer else None,
                intent=topic or "general",
                from_address=email,
                subject=f"Chat with {name}",
                attributes=attributes,
                actor="customer",
                details={"site_id": site.id},
                at=datetime.now(UTC),
            ).interaction
            conversation = ChatConversation(
                id=conversation_id,
                site_id=site.id,
                interaction_id=interaction.id,
                customer_id=customer.id if customer else None,
                visitor_id=visitor_id,
                visitor_name=name,
                visitor_email=email,
                topic=topic,
                language=language,
                # "bot" until the ACD has it: with the bot, or waiting to leave a message.
                status="bot",
                token_nonce=secrets.token_hex(16),
            )
            session.add(conversation)
            session.commit()
            customer_id = customer.id if customer else None
        token = self.tokens.issue(conversation.id, conversation.token_nonce)
        # No socket yet: a visitor who never connects is swept like one who left.
        seen(self.runtime.redis, [conversation.id], time.time())
        if site.bot_enabled:
            try:
                turn = self.bot.start(
                    conversation.id,
                    language=language,
                    visitor_name=name,
                    visitor_email=email,
                    customer_id=customer_id,
                    topic=topic,
                )
            except Exception:
                log.exception("chat bot failed to start %s; handing over", conversation.id)
                self._hand_over(conversation.id, {})
            else:
                self._apply_bot_turn(conversation.id, turn)
        else:
            self._hand_over(conversation.id, {})
        with db.session() as session:
            fresh = session.get(ChatConversation, conversation.id)
            assert fresh is not None
            messages = history(session, fresh)
            session.expunge(fresh)
        return Started(fresh, token, messages)

    # -- the customer's messages -----------------------------------------------------------

    def customer_message(
        self, conversation_id: str, body: str, client_id: str | None
    ) -> dict[str, Any]:
        """Persist, deliver, and let the bot answer while it still has the conversation."""
        with self.runtime.db.session() as session:
            conversation = _get(session, conversation_id)
            if conversation.status not in OPEN_STATUSES:
                from contactcentre.chat.messages import MessageError

                raise MessageError(
                    "conversation_closed", None, "this conversation has ended; start a new one"
                )
            posted = post_message(
                session,
                conversation,
                Author("customer"),
                body,
                client_id=client_id,
                max_chars=self.runtime.settings.chat_max_message_chars,
            )
            session.commit()
            deliver(self.emitter, conversation, posted)
            # Most messages are to a person: read the site only while the bot may answer.
            with_bot = conversation.status == "bot" and posted.created
            if with_bot:
                site = session.get(ChatSite, conversation.site_id)
                with_bot = site is not None and site.bot_enabled
        if with_bot:
            try:
                turn = self.bot.reply(conversation_id, body)
            except Exception:
                # A broken bot must not strand the customer: a person takes over.
                log.exception("chat bot failed on %s; handing over", conversation_id)
                self._hand_over(conversation_id, {})
            else:
                self._apply_bot_turn(conversation_id, turn)
        return posted.payload

    def _apply_bot_turn(self, conversation_id: str, turn: BotTurn) -> None:
        with self.runtime.db.session() as session:
            conversation = _get(session, conversation_id)
            for message in turn.messages:
                replies = [{"label": r.label, "value": r.value} for r in message.quick_replies]
                attachments = (
                    [{"url": message.media_url, "filename": "media", "content_type": "audio"}]
                    if message.media_url
                    else None
                )
                if not message.text and not attachments:
                    continue
                posted = post_message(
                    session,
                    conversation,
                    Author("bot"),
                    message.text or "",
                    attachments=attachments,
                    quick_replies=replies or None,
                )
                session.commit()
                deliver(self.emitter, conversation, posted)
        if turn.handover is not None:
            self._hand_over(conversation_id, dict(turn.handover))
        elif turn.leave_message:
            self.offer_leave_message(conversation_id)
        elif turn.ended:
            self.close(conversation_id, by="bot")

    # -- routing -------------------------------------------------------------------------

    def _hand_over(self, conversation_id: str, attributes: dict[str, Any]) -> None:
        """Queue the chat for an agent, or offer "leave a message" when nobody can answer."""
        with self.runtime.db.session() as session:
            conversation = _get(session, conversation_id)
            site = session.get(ChatSite, conversation.site_id)
            assert site is not None
            nobody = not is_open(site) or not self.agents_online()
            if not nobody:
                self._queue(session, conversation, site, attributes)
        if nobody:
            self.offer_leave_message(conversation_id, notice_id="nobody")

    def _queue(
        self,
        session: Session,
        conversation: ChatConversation,
        site: ChatSite,
        attributes: dict[str, Any],
    ) -> None:
        """Submit the chat to the ACD with what the bot (or the form) collected."""
        interaction = session.get(Interaction, conversation.interaction_id)
        assert interaction is not None
        merged = {**(interaction.attributes or {}), **attributes}
        if site.queue_id is not None:
            # Only used when no routing plan matches the intent (the direct plan is last).
            merged["queue_id"] = str(site.queue_id)
        interaction.attributes = merged
        interaction.intent = str(merged.get("intent") or interaction.intent or "general")
        _link_identified_customer(session, conversation, interaction, merged)
        now = datetime.now(UTC)
        event_log.append(
            session,
            NewEvent(
                interaction.id,
                "bot_handover",
                now,
                f"{interaction.id}:bot_handover",
                actor="bot" if site.bot_enabled else "customer",
                data={"intent": interaction.intent},
            ),
        )
        conversation.status = "queued"
        self.routing.submit(session, interaction, merged, priority=0, at=now)
        session.commit()
        self.emit_status(session, conversation)

    def offer_leave_message(self, conversation_id: str, notice_id: str | None = None) -> None:
        """Tell the widget to offer "leave a message" (with a notice, posted once per id)."""
        self.runtime.redis.set(LEAVE_MESSAGE + conversation_id, "1", ex=LEAVE_TTL_SECONDS)
        with self.runtime.db.session() as session:
            conversation = _get(session, conversation_id)
            if notice_id is not None:
                posted = post_message(
                    session, conversation, Author("system"), NOBODY_THERE, client_id=notice_id
                )
                session.commit()
                deliver(self.emitter, conversation, posted)
            self.emit_status(session, conversation)

    # -- status --------------------------------------------------------------------------

    def status(self, session: Session, conversation: ChatConversation) -> dict[str, Any]:
        """What the widget shows: where the chat is, the queue position and wait, the agent."""
        estimate = (
            self.routing.estimate(conversation.interaction_id)
            if conversation.status == "queued"
            else None
        )
        agent_name = None
        if conversation.status == "active":
            agent_id = self.routing.assigned_agent(conversation.interaction_id)
            if agent_id is None:
                interaction = session.get(Interaction, conversation.interaction_id)
                agent_id = None if interaction is None else interaction.agent_id  # type: ignore[assignment]
            agent = session.get(Agent, int(agent_id)) if agent_id else None
            agent_name = agent.display_name if agent else None
        offered = bool(self.runtime.redis.exists(LEAVE_MESSAGE + conversation.id))
        site = session.get(ChatSite, conversation.site_id)
        open_now = site is not None and site.active and is_open(site)
        return {
            "conversation_id": conversation.id,
            "interaction_id": conversation.interaction_id,
            "status": conversation.status,
            "position": estimate["position"] if estimate else None,
            "estimated_wait_seconds": estimate["ewt_seconds"] if estimate else None,
            "agent": {"name": agent_name} if agent_name else None,
            "leave_message": offered and conversation.status in OPEN_STATUSES,
            # Whether a hand-over now would reach someone (else "leave a message" is offered).
            "open": open_now,
            "agents_available": open_now and self.agents_online(),
        }

    def emit_status(self, session: Session, conversation: ChatConversation) -> dict[str, Any]:
        data = self.status(session, conversation)
        self.emitter.emit_batch(
            [
                (chat_room(conversation.id), "status", data),
                (interaction_room(conversation.interaction_id), "chat_status", data),
            ]
        )
        return data

    # -- leaving -------------------------------------------------------------------------

    def close(self, conversation_id: str, *, by: str) -> dict[str, Any]:
        """End the conversation: "customer" (widget closed or gone), "bot", "agent", "timeout".

        A queued chat is canceled in the ACD; an active one completed, so its agent wraps up.
        """
        with self.runtime.db.session() as session:
            conversation = _get(session, conversation_id)
            if conversation.status in ("closed", "left_message"):
                return self.status(session, conversation)
            was = conversation.status
            now = datetime.now(UTC)
            conversation.status = "closed"
            conversation.closed_at = now
            conversation.closed_by = by
            interaction = session.get(Interaction, conversation.interaction_id)
            assert interaction is not None
            if by in ("customer", "timeout"):
                event_log.append(
                    session,
                    NewEvent(
                        interaction.id,
                        "customer_left",
                        now,
                        f"{interaction.id}:customer_left",
                        actor="customer",
                        data={"while": was, "by": by},
                    ),
                )
            if was == "bot":
                # Never reached the ACD: the bot's conversation ends here.
                interaction.status = "completed"
                interaction.ended_at = now
                event_log.append(
                    session,
                    NewEvent(
                        interaction.id,
                        "completed",
                        now,
                        f"{interaction.id}:completed",
                        actor=by,
                        data={"by": by},
                    ),
                )
            notice = {
                "customer": "The customer left the chat.",
                "timeout": "The customer left the chat (no connection).",
                "bot": "The conversation has ended.",
            }.get(by)
            posted = (
                post_message(session, conversation, Author("system"), notice) if notice else None
            )
            session.commit()
            if was == "queued":
                self.routing.cancel(interaction.id, "customer_left")
            elif was == "active" and by != "agent":
                self.routing.complete(interaction.id)
            if posted is not None:
                deliver(self.emitter, conversation, posted)
            data = self.status(session, conversation)
            closed = {"by": by, "rating": True}
            self.emitter.emit_batch(
                [
                    (chat_room(conversation.id), "status", data),
                    (chat_room(conversation.id), "closed", closed),
                    (interaction_room(conversation.interaction_id), "chat_status", data),
                ]
            )
            return data


def _link_identified_customer(
    session: Session,
    conversation: ChatConversation,
    interaction: Interaction,
    attributes: dict[str, Any],
) -> None:
    """The customer the bot identified (by account number, say) becomes the chat's customer,
    so the agent's pop shows their record, as a call's does after the IVR identified them."""
    raw = str(attributes.get("customer_id") or "")  # the flow's attributes are text
    if interaction.customer_id is not None or attributes.get("known") is not True:
        return
    if not (raw.isascii() and raw.isdigit()):
        return
    customer = session.get(Customer, int(raw))
    if customer is None or customer.erased_at is not None:
        return
    interaction.customer_id = customer.id
    conversation.customer_id = conversation.customer_id or customer.id


def erase_customer_chats(session: Session, runtime: Runtime, customer_id: int) -> int:
    """For a customer's erasure, in the caller's transaction: revoke every token of their
    conversations (a new nonce), blank the pre-chat name and email, and delete attachments
    (rows and files). Message bodies are blanked by the customer erasure itself. Returns the
    number of conversations touched."""
    owned = select(Interaction.id).where(Interaction.customer_id == customer_id)
    conversations = list(
        session.scalars(
            select(ChatConversation).where(
                or_(
                    ChatConversation.customer_id == customer_id,
                    ChatConversation.interaction_id.in_(owned),
                )
            )
        )
    )
    root = storage_root(runtime)
    for conversation in conversations:
        conversation.token_nonce = secrets.token_hex(16)
        conversation.visitor_name = None
        conversation.visitor_email = None
        for attachment in session.scalars(
            select(ChatAttachment).where(ChatAttachment.conversation_id == conversation.id)
        ):
            (root / attachment.storage_key).unlink(missing_ok=True)
            session.delete(attachment)
    session.flush()
    return len(conversations)


def _get(session: Session, conversation_id: str) -> ChatConversation:
    conversation = session.get(ChatConversation, conversation_id)
    if conversation is None:
        raise LookupError(f"no conversation {conversation_id}")
    return conversation


def chat_service(runtime: Runtime) -> ChatService:
    """The process's ChatService, created once and kept on the runtime."""
    found: ChatService | None = getattr(runtime, "_chat_service", None)
    if found is None:
        found = ChatService(runtime)
        runtime._chat_service = found  # type: ignore[attr-defined]
    return found
