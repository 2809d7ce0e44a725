"""The chat's HTTP schemas: its wire forms (a message, the conversation's status; docs/chat.md)
shared by the agents' API and the widget's, and the widget API's requests and answers."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from flask_openapi3 import FileStorage
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from contactcentre.chat.ratings import COMMENT_MAX_CHARS
from contactcentre.chat.sites import TOPIC_VALUES
from contactcentre.webapi.common import INT32_MAX, Body


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


# The widget's requests. A blank text is "not given"; texts are trimmed before their limits.

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s]{2,}$")
LANGUAGES = ("en", "es")


def _trimmed(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _required(value: Any, info: ValidationInfo) -> Any:
    value = _trimmed(value)
    if value is None:
        raise PydanticCustomError("required", f"{info.field_name} is required")
    return value


def _email(value: str | None) -> str | None:
    if value is not None and not EMAIL.match(value):
        raise PydanticCustomError(
            "invalid_email", f"{value!r} is not an email address like ann@example.com"
        )
    return value


def _topic(value: str | None) -> str | None:
    if value is not None and value not in TOPIC_VALUES:
        raise PydanticCustomError(
            "invalid_topic", f"topic must be one of {', '.join(sorted(TOPIC_VALUES))}"
        )
    return value


Text8 = Annotated[str, Field(max_length=8)]
Text32 = Annotated[str, Field(max_length=32)]
Text40 = Annotated[str, Field(max_length=40)]
Text64 = Annotated[str, Field(max_length=64)]
Text120 = Annotated[str, Field(max_length=120)]
Text254 = Annotated[str, Field(max_length=254)]
CommentText = Annotated[str, Field(max_length=COMMENT_MAX_CHARS)]

WidgetKey = Annotated[Text40, BeforeValidator(_required)]
VisitorName = Annotated[Text120, BeforeValidator(_required)]
Topic = Annotated[Text64 | None, BeforeValidator(_trimmed), AfterValidator(_topic)]
Language = Annotated[Text8 | None, BeforeValidator(_trimmed)]
VisitorId = Annotated[Text64 | None, BeforeValidator(_trimmed)]
Email = Annotated[Text254 | None, BeforeValidator(_trimmed), AfterValidator(_email)]
RequiredEmail = Annotated[Text254, BeforeValidator(_required), AfterValidator(_email)]
Comment = Annotated[CommentText | None, BeforeValidator(_trimmed)]
PhoneNumber = Annotated[Text32, BeforeValidator(_required)]


class SitePath(BaseModel):
    widget_key: str = Field(max_length=40, description="the site's public widget key")


class ConversationPath(BaseModel):
    conversation_id: str = Field(max_length=36)


class AttachmentPath(BaseModel):
    attachment_id: str = Field(max_length=36)


class TokenQuery(BaseModel):
    token: str | None = Field(
        None, max_length=1000, description="the conversation token, for links (GET only)"
    )


class HistoryQuery(TokenQuery):
    after: int = Field(0, ge=0, le=INT32_MAX, description="only messages after this seq")


class StartIn(Body):
    """The pre-chat form."""

    widget_key: WidgetKey
    name: VisitorName
    email: Email = None
    topic: Topic = None
    language: Language = Field(None, description="en or es; anything else is en")
    visitor_id: VisitorId = Field(
        None, description="the browser's id from an earlier chat; a new one if none"
    )


class CustomerMessageIn(Body):
    body: str = Field(description="up to the site's message limit (GET /sites/{widget_key})")
    client_id: str | None = Field(None, max_length=64, description="resends with it match")


class AttachmentForm(BaseModel):
    file: FileStorage = Field(description="an image, PDF or text file (see the site's limits)")
    client_id: str | None = Field(None, max_length=64)


class RatingIn(Body):
    score: int = Field(ge=1, le=5)
    comment: Comment = None


class TranscriptIn(Body):
    email: RequiredEmail


class CallbackIn(Body):
    phone: PhoneNumber = Field(description="the number to call, any format")


class LeaveMessageIn(Body):
    body: str = Field(description="required; up to the site's message limit")
    email: Email = Field(None, description="where to answer, if the pre-chat form had none")


# The widget's answers.


class Limits(BaseModel):
    message_chars: int
    attachment_bytes: int
    attachment_types: list[str]


class SiteConfigOut(BaseModel):
    name: str
    theme: dict[str, str]
    open: bool = Field(description="within business hours")
    agents_available: bool
    bot: bool
    topics: list[dict[str, str]] = Field(description="value and label, for the pre-chat form")
    limits: Limits


class StartOut(StatusOut):
    token: str = Field(description="send as Authorization: Bearer <token> from now on")
    visitor_id: str
    messages: list[MessageOut]


class ChatHistoryOut(StatusOut):
    messages: list[MessageOut]


class RatingOut(BaseModel):
    score: int
    comment: str | None


class TranscriptOut(BaseModel):
    queued: bool
    job_id: str


class CallbackOut(BaseModel):
    callback_id: str = Field(description="the outbound call's interaction id")
    number: str = Field(description="E.164")


class LeftMessageOut(BaseModel):
    status: Literal["left_message"]
    task_id: str = Field(description="the message's task, routed like an email")
