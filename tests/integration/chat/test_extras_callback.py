"""Call me instead: the number is normalised (or refused naming `phone`), the voice channel's
callback task is created and submitted to the router, the chat is told and the request logged."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.store.models import Interaction, InteractionEvent, Message
from tests.integration.chat.rows import make_chat, submitted_tasks

pytestmark = pytest.mark.usefixtures("validated_responses")


def test_a_number_becomes_a_callback_task_submitted_to_routing(
    app: Any, client: Any, redis_client: Any
) -> None:
    """(415) 555-0100 becomes +14155550100 on an outbound callback interaction, submitted to
    the router with callback attributes."""
    chat = make_chat(app, status="queued")
    answer = client.post(
        chat.url("callback"), json={"phone": "(415) 555-0100"}, headers=chat.headers
    )
    assert answer.status_code == 202, answer.get_json()
    made = answer.get_json()
    assert made["number"] == "+14155550100"
    with app.extensions["contactcentre"].db.session() as session:
        callback = session.get(Interaction, made["callback_id"])
        assert callback is not None
        assert (callback.channel, callback.direction) == ("outbound", "outbound")
        assert callback.to_address == "+14155550100"
        assert callback.attributes["callback_for"] == chat.interaction_id
    [task] = [t for t in submitted_tasks(redis_client) if t["task_id"] == made["callback_id"]]
    assert task["channel"] == "outbound"
    assert task["attributes"]["callback"] is True


def test_the_chat_is_told_and_the_request_logged_without_the_number(app: Any, client: Any) -> None:
    """A system message "We'll call you on +1 415-555-0100." is posted; callback_requested is
    logged on the chat with ids only."""
    chat = make_chat(app)
    made = client.post(
        chat.url("callback"), json={"phone": "+1 415 555 0100"}, headers=chat.headers
    ).get_json()
    with app.extensions["contactcentre"].db.session() as session:
        notices = [
            m.body
            for m in session.query(Message).filter_by(
                interaction_id=chat.interaction_id, sender="system"
            )
        ]
        assert notices == ["We'll call you on +1 415-555-0100."]
        logged = (
            session.query(InteractionEvent)
            .filter_by(interaction_id=chat.interaction_id, type="callback_requested")
            .one()
        )
        assert logged.data == {"source": "chat", "callback_id": made["callback_id"]}


def test_an_invalid_number_is_refused_naming_phone(
    app: Any, client: Any, redis_client: Any
) -> None:
    """Too short, letters, a missing number or a non-string are 422 naming `phone` with a
    reason; no task is submitted."""
    chat = make_chat(app)
    for phone in ("12", "call me", "", 4155550100):
        answer = client.post(chat.url("callback"), json={"phone": phone}, headers=chat.headers)
        assert answer.status_code == 422, phone
        error = answer.get_json()["error"]
        assert error["field"] == "phone" and error["message"]
    short = client.post(chat.url("callback"), json={"phone": "12"}, headers=chat.headers)
    assert "too short" in short.get_json()["error"]["message"]
    assert submitted_tasks(redis_client) == []


def test_asking_twice_keeps_one_callback(app: Any, client: Any, redis_client: Any) -> None:
    """The same number again answers with the same callback; a different one is 409."""
    chat = make_chat(app)
    first = client.post(chat.url("callback"), json={"phone": "4155550100"}, headers=chat.headers)
    again = client.post(chat.url("callback"), json={"phone": "4155550100"}, headers=chat.headers)
    assert again.status_code == 202
    assert again.get_json()["callback_id"] == first.get_json()["callback_id"]
    other = client.post(chat.url("callback"), json={"phone": "4155550199"}, headers=chat.headers)
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "callback_already_requested"
    assert len(submitted_tasks(redis_client)) == 1


def test_an_ended_chat_cannot_ask_for_a_call(app: Any, client: Any) -> None:
    """After the chat is closed the request is 409 conversation_closed."""
    chat = make_chat(app, status="closed")
    answer = client.post(chat.url("callback"), json={"phone": "4155550100"}, headers=chat.headers)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "conversation_closed"
