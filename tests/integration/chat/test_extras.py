"""The end-of-chat actions: a rating stored as CSAT (once), the transcript by email without
whispers (real SMTP on loopback, and the dev outbox), a callback task, and leave-a-message."""

from __future__ import annotations

import email
import socket
import time
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller

from contactcentre.chat.transcripts import deliver_transcript
from contactcentre.store.models import ChatConversation, CsatRating, Interaction, InteractionEvent
from tests.integration.chat.test_agent_side import _accepted_chat
from tests.integration.realtime.live import eventually


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.mark.usefixtures("live_router")
def test_rating_is_stored_once_as_csat(
    live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """A 1-5 rating is stored with its agent and logged as a survey; a second one is refused."""
    ann, interaction_id = _accepted_chat(live, chat_floor, make_site, customers)
    url = f"{live.url}/chat/api/conversations/{ann.conversation_id}/rating"
    bad = ann.http.post(url, json={"score": 6}, headers=ann.auth_headers(), timeout=5)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "score"
    good = ann.http.post(
        url, json={"score": 5, "comment": "Quick and kind"}, headers=ann.auth_headers(), timeout=5
    )
    assert good.status_code == 201, good.text
    again = ann.http.post(url, json={"score": 1}, headers=ann.auth_headers(), timeout=5)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    with live.app.extensions["contactcentre"].db.session() as session:
        rating = session.query(CsatRating).filter_by(interaction_id=interaction_id).one()
        assert rating.score == 5 and rating.agent_id == chat_floor["agent"]["agent_id"]
        survey = (
            session.query(InteractionEvent)
            .filter_by(interaction_id=interaction_id, type="survey")
            .one()
        )
        assert "comment" not in survey.data


def test_a_bot_only_chat_cannot_be_rated(live: Any, make_site: Any, customers: Any) -> None:
    """Before any agent joined there is nobody to rate: 409 nothing_to_rate."""
    site = make_site()
    ann = customers()
    ann.start(site.widget_key)
    response = ann.http.post(
        f"{live.url}/chat/api/conversations/{ann.conversation_id}/rating",
        json={"score": 4},
        headers=ann.auth_headers(),
        timeout=5,
    )
    assert response.status_code == 409


@pytest.mark.usefixtures("live_router")
def test_transcript_goes_by_smtp_without_whispers(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """The job sends what the customer saw through a real SMTP server; whispers stay out."""
    ann, interaction_id = _accepted_chat(live, chat_floor, make_site, customers)
    ann.say("Where is my parcel?")
    boss = make_user("supervisor")
    requests.post(
        f"{live.url}/api/v1/chats/{interaction_id}/whisper",
        json={"body": "secret coaching note"},
        headers=boss["headers"],
        timeout=5,
    )
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        runtime = live.app.extensions["contactcentre"]
        runtime.settings = runtime.settings.model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": port}
        )
        where = deliver_transcript(runtime, ann.conversation_id, "ann@example.com")
        assert where.startswith("smtp://")
        deadline = time.monotonic() + 5
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    sent = email.message_from_bytes(inbox.messages[0])
    text = sent.get_payload()[0].get_payload(decode=True).decode()
    assert "Where is my parcel?" in text
    assert "secret coaching note" not in text
    assert sent["To"] == "ann@example.com"


def test_transcript_request_is_queued_and_checked(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """A bad address is refused naming `email`; a good one queues a job (202)."""
    site = make_site()
    ann = customers()
    ann.start(site.widget_key)
    url = f"{live.url}/chat/api/conversations/{ann.conversation_id}/transcript"
    bad = ann.http.post(url, json={"email": "nope"}, headers=ann.auth_headers(), timeout=5)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "email"
    good = ann.http.post(
        url, json={"email": "ann@example.com"}, headers=ann.auth_headers(), timeout=5
    )
    assert good.status_code == 202 and good.json()["job_id"]
    runtime = app.extensions["contactcentre"]
    where = deliver_transcript(runtime, ann.conversation_id, "ann@example.com")
    assert where.endswith(".eml")


@pytest.mark.usefixtures("live_router")
def test_call_me_instead_creates_a_callback_task(
    app: Any, live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """A valid number becomes an outbound callback interaction in routing; a bad one is 422."""
    ann, _ = _accepted_chat(live, chat_floor, make_site, customers)
    url = f"{live.url}/chat/api/conversations/{ann.conversation_id}/callback"
    bad = ann.http.post(url, json={"phone": "12"}, headers=ann.auth_headers(), timeout=5)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "phone"
    good = ann.http.post(
        url, json={"phone": "(415) 555-0100"}, headers=ann.auth_headers(), timeout=5
    )
    assert good.status_code == 202, good.text
    assert good.json()["number"] == "+14155550100"
    with app.extensions["contactcentre"].db.session() as session:
        callback = session.get(Interaction, good.json()["callback_id"])
        assert callback is not None and callback.channel == "outbound"
        assert callback.to_address == "+14155550100"
    eventually(lambda: any("+14155550100" in m["body"] for m in ann.messages()))


def test_leave_a_message_becomes_an_email_task(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """With nobody to chat, the message is a new email-channel interaction, routed."""
    site = make_site()
    ann = customers()
    ann.start(site.widget_key)
    url = f"{live.url}/chat/api/conversations/{ann.conversation_id}/leave-message"
    empty = ann.http.post(url, json={"body": ""}, headers=ann.auth_headers(), timeout=5)
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "body"
    response = ann.http.post(
        url, json={"body": "Please call about my refund"}, headers=ann.auth_headers(), timeout=5
    )
    assert response.status_code == 201, response.text
    with app.extensions["contactcentre"].db.session() as session:
        task = session.get(Interaction, response.json()["task_id"])
        assert task is not None and task.channel == "email"
        assert task.from_address == "ann@example.com"
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None and conversation.status == "left_message"
