"""The chat's wire forms as schemas: a message and the conversation's status (docs/chat.md).

Both sides share them: the agents' API (/api/v1/chats) and the widget's (/chat/api).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AuthorOut(BaseModel):
    kind: str = Field(description="customer, agent, supervisor, bot or system")
    name: str | None


class AttachmentOut(BaseModel):
    id: str
    filename: str
    content_type: str
    size: int = Field(description="bytes")
    url: str


class MessageOut(BaseModel):
    conversation_id: str
    interaction_id: str
    seq: int | None = Field(description="order in the conversation, from 1")
    client_id: str | None = Field(description="the sender's id for the message; resends match")
    author: AuthorOut
    body: str
    attachments: list[AttachmentOut]
    visibility: str = Field(description="all, or agents for a supervisor's whisper")
    quick_replies: list[Any]
    created_at: str = Field(description="ISO 8601, UTC")


class AgentName(BaseModel):
    name: str


class StatusOut(BaseModel):
    conversation_id: str
    interaction_id: str
    status: str = Field(description="bot, queued, active, closed or left_message")
    position: int | None = Field(description="place in the queue while queued")
    estimated_wait_seconds: float | None
    agent: AgentName | None
    leave_message: bool = Field(description="the customer is offered to leave a message")
    open: bool = Field(description="the site is within its business hours")
    agents_available: bool = Field(description="a hand-over now would reach someone")
