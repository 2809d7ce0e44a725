"""Leave a message: with nobody to chat, the visitor's message becomes a new email-channel
interaction from their address, submitted to routing like an email; the chat ends as
left_message. No address to reply to is a 422 naming `email`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contactcentre.router.streams import COMMANDS
from contactcentre.store.models import ChatConversation, Interaction, InteractionEvent, Message
from tests.integration.chat.rows import make_chat, submitted_tasks

pytestmark = pytest.mark.usefixtures("validated_responses")


def test_the_message_becomes_an_email_task_routed_like_an_email(
    app: Any, client: Any, redis_client: Any
) -> None:
    """A new email interaction from the pre-chat address, its body stored as a Message, and
    a TaskSubmitted with channel email and the chat's topic as intent."""
    chat = make_chat(app, status="bot")
    answer = client.post(
        chat.url("leave-message"),
        json={"body": "Do you sell left-handed trowels?"},
        headers=chat.headers,
    )
    assert answer.status_code == 201, answer.get_json()
    task_id = answer.get_json()["task_id"]
    with app.extensions["contactcentre"].db.session() as session:
        task = session.get(Interaction, task_id)
        assert task is not None and task.id != chat.interaction_id
        assert (task.channel, task.from_address) == ("email", "ann@example.com")
        assert task.subject == "Chat message from Ann Visitor"
        [message] = session.query(Message).filter_by(interaction_id=task_id)
        assert (message.body, message.direction) == ("Do you sell left-handed trowels?", "in")
    [submitted] = [t for t in submitted_tasks(redis_client) if t["task_id"] == task_id]
    assert submitted["channel"] == "email"
    assert submitted["attributes"] == {
        "intent": "billing",
        "source": "chat",
        "conversation_id": chat.conversation_id,
    }


def test_the_chat_ends_as_left_message(app: Any, client: Any) -> None:
    """The conversation's status becomes left_message, its bot-only interaction completes (the
    customer_left event names the email task), and a second message is refused."""
    chat = make_chat(app, status="bot")
    answer = client.post(chat.url("leave-message"), json={"body": "Call me"}, headers=chat.headers)
    task_id = answer.get_json()["task_id"]
    with app.extensions["contactcentre"].db.session() as session:
        conversation = session.get(ChatConversation, chat.conversation_id)
        assert conversation is not None and conversation.status == "left_message"
        interaction = session.get(Interaction, chat.interaction_id)
        assert interaction is not None and interaction.status == "completed"
        left = (
            session.query(InteractionEvent)
            .filter_by(interaction_id=chat.interaction_id, type="customer_left")
            .one()
        )
        assert left.data["left_message"] == task_id
    again = client.post(chat.url("leave-message"), json={"body": "Hello?"}, headers=chat.headers)
    assert again.status_code == 409


def test_a_queued_chat_leaving_a_message_is_canceled_in_routing(
    app: Any, client: Any, redis_client: Any
) -> None:
    """A chat waiting in the queue is canceled in the ACD when its visitor leaves a message."""
    chat = make_chat(app, status="queued")
    client.post(chat.url("leave-message"), json={"body": "Too long a wait"}, headers=chat.headers)
    commands = [json.loads(f["event"]) for _, f in redis_client.xrange(COMMANDS)]
    canceled = [c for c in commands if c["kind"] == "task_canceled"]
    assert [c["task_id"] for c in canceled] == [chat.interaction_id]


def test_without_any_email_the_visitor_is_asked_for_one(
    app: Any, client: Any, redis_client: Any
) -> None:
    """No pre-chat email and none in the body: 422 naming `email`; one given is used."""
    chat = make_chat(app, status="bot", email=None)
    missing = client.post(chat.url("leave-message"), json={"body": "Hi"}, headers=chat.headers)
    assert missing.status_code == 422
    assert missing.get_json()["error"]["field"] == "email"
    bad = client.post(
        chat.url("leave-message"), json={"body": "Hi", "email": "bob@"}, headers=chat.headers
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "email"
    assert submitted_tasks(redis_client) == []
    given = client.post(
        chat.url("leave-message"),
        json={"body": "Hi", "email": "bob@example.com"},
        headers=chat.headers,
    )
    assert given.status_code == 201
    with app.extensions["contactcentre"].db.session() as session:
        task = session.get(Interaction, given.get_json()["task_id"])
        assert task is not None and task.from_address == "bob@example.com"


def test_the_body_is_required_and_bounded(app: Any, client: Any) -> None:
    """An empty body or one over chat_max_message_chars is 422 naming `body`."""
    chat = make_chat(app, status="bot")
    limit = app.extensions["contactcentre"].settings.chat_max_message_chars
    for body in ("", "   ", "x" * (limit + 1)):
        answer = client.post(chat.url("leave-message"), json={"body": body}, headers=chat.headers)
        assert answer.status_code == 422
        assert answer.get_json()["error"]["field"] == "body"
