"""A chat as rows (site, chat interaction, conversation, signed token), as the pre-chat form
leaves them, for tests that need neither the pre-chat endpoint nor a router."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from contactcentre.chat.tokens import ConversationTokens
from contactcentre.router.streams import COMMANDS
from contactcentre.store.models import ChatConversation, ChatSite, Interaction


@dataclass(frozen=True)
class ChatRows:
    """A chat made as rows: its ids, and the customer's token for its conversation."""

    conversation_id: str
    interaction_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def url(self, action: str) -> str:
        return f"/chat/api/conversations/{self.conversation_id}/{action}"


def make_chat(
    app: Any,
    *,
    status: str = "active",
    agent_id: int | None = None,
    email: str | None = "ann@example.com",
    customer_id: int | None = None,
    timezone: str | None = None,
) -> ChatRows:
    """A chat site, a chat interaction and its conversation as the pre-chat form leaves them."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        site = ChatSite(
            name="Shop",
            widget_key=f"wk_{uuid.uuid4().hex[:20]}",
            allowed_origins=["https://shop.example.com"],
            bot_enabled=False,
            business_hours={"timezone": timezone} if timezone else {},
        )
        session.add(site)
        session.flush()
        conversation_id = str(uuid.uuid4())
        interaction = Interaction(
            id=str(uuid.uuid4()),
            channel="chat",
            status="assigned" if agent_id else "created",
            external_id=conversation_id,
            customer_id=customer_id,
            agent_id=agent_id,
            intent="billing",
            from_address=email,
            subject="Chat with Ann Visitor",
            attributes={"intent": "billing", "conversation_id": conversation_id},
        )
        session.add(interaction)
        session.flush()
        nonce = secrets.token_hex(16)
        session.add(
            ChatConversation(
                id=conversation_id,
                site_id=site.id,
                interaction_id=interaction.id,
                customer_id=customer_id,
                visitor_id="v-1",
                visitor_name="Ann Visitor",
                visitor_email=email,
                topic="billing",
                language="en",
                status=status,
                token_nonce=nonce,
            )
        )
        session.commit()
        interaction_id = interaction.id
    settings = runtime.settings
    tokens = ConversationTokens(settings.effective_secret_key, settings.chat_token_ttl_seconds)
    return ChatRows(conversation_id, interaction_id, tokens.issue(conversation_id, nonce))


def submitted_tasks(redis_client: Any) -> list[dict[str, Any]]:
    """The TaskSubmitted commands web processes appended for the router."""
    commands = [json.loads(fields["event"]) for _, fields in redis_client.xrange(COMMANDS)]
    return [c for c in commands if c["kind"] == "task_submitted"]
