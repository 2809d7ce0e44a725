"""The transcript by email: requested over HTTP (checked, at most three, an RQ job), rendered
from what the customer saw (never whispers; files by name; the site's time zone), and sent by

pytestmark = pytest.mark.usefixtures("validated_responses")
the job through a real SMTP server on loopback, or into the dev outbox as an .eml file."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import Message as EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from rq import Queue, SimpleWorker

from contactcentre.chat.messages import Author, post_message
from contactcentre.chat.transcripts import QUEUE, deliver_transcript
from contactcentre.store.models import ChatConversation
from tests.integration.chat.rows import ChatRows, make_chat
from tests.ports import free_port


class _Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    """A real SMTP server on 127.0.0.1 at a free ephemeral port."""
    port = free_port()
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _conversation_with_history(app: Any, agent_id: int, timezone: str | None = None) -> ChatRows:
    chat = make_chat(app, agent_id=agent_id, timezone=timezone)
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, chat.conversation_id)
        assert conversation is not None
        said = [
            (Author("customer"), "Where is my parcel?", "all", None),
            (Author("agent", agent_id), "Let me check <b>that</b> for you.", "all", None),
            (Author("supervisor", 1), "secret coaching note", "agents", None),
            (
                Author("customer"),
                "Here is the receipt",
                "all",
                [{"id": "a1", "filename": "receipt.pdf", "content_type": "application/pdf"}],
            ),
        ]
        for author, body, visibility, files in said:
            post_message(
                session, conversation, author, body, visibility=visibility, attachments=files
            )
        session.commit()
    return chat


def _parts(raw: bytes) -> tuple[EmailMessage, str, str]:
    sent = email.message_from_bytes(raw, policy=default_policy)
    text = sent.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    page = sent.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    return sent, text.get_content(), page.get_content()


def test_the_job_sends_what_the_customer_saw_through_smtp(
    app: Any,
    client: Any,
    make_user: Any,
    smtp_server: tuple[_Inbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Requested over HTTP, run by an RQ worker with no Flask app, received by SMTP: text and
    HTML, the customer's and agent's lines, files by name, never a whisper."""
    inbox, port = smtp_server
    settings = app.extensions["contactcentre"].settings
    chat = _conversation_with_history(app, make_user("agent")["agent_id"])
    answer = client.post(
        chat.url("transcript"), json={"email": "ann@example.com"}, headers=chat.headers
    )
    assert answer.status_code == 202, answer.get_json()
    # The worker's own settings come from the environment, as in production.
    for name, value in {
        "CC_DATABASE_URL": settings.database_url,
        "CC_REDIS_URL": settings.redis_url,
        "CC_INSTANCE_PATH": str(settings.instance_path),
        "CC_SECRET_KEY": "test-secret-key",
        "CC_SMTP_HOST": "127.0.0.1",
        "CC_SMTP_PORT": str(port),
        "CC_MAIL_FROM": "Shop <help@shop.example.com>",
    }.items():
        monkeypatch.setenv(name, value)
    connection = redis.Redis.from_url(settings.redis_url)
    queue = Queue(QUEUE, connection=connection)
    [job] = queue.get_jobs()
    assert job.func_name == "contactcentre.chat.transcripts.send_transcript"
    SimpleWorker([queue], connection=connection).work(burst=True)
    assert job.get_status(refresh=True) == "finished", job.latest_result()
    [(recipients, raw)] = inbox.received
    assert recipients == ["ann@example.com"]
    sent, text, page = _parts(raw)
    assert sent["From"] == "Shop <help@shop.example.com>"
    assert sent["Subject"] == "Your chat transcript"
    assert "You: Where is my parcel?" in text
    assert "Let me check <b>that</b> for you." in text
    assert "receipt.pdf" in text
    assert "secret coaching note" not in text and "secret coaching note" not in page
    assert "Let me check &lt;b&gt;that&lt;/b&gt; for you." in page  # escaped, not markup


def test_times_are_in_the_sites_time_zone(
    app: Any, make_user: Any, smtp_server: tuple[_Inbox, int]
) -> None:
    """A site with business hours in Europe/Paris gets its transcript times in that zone."""
    inbox, port = smtp_server
    chat = _conversation_with_history(app, make_user("agent")["agent_id"], "Europe/Paris")
    runtime = app.extensions["contactcentre"]
    runtime.settings = runtime.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port}
    )
    where = deliver_transcript(runtime, chat.conversation_id, "ann@example.com")
    assert where == f"smtp://127.0.0.1:{port}"
    _, text, _ = _parts(inbox.received[0][1])
    assert "Times are in Europe/Paris." in text


def test_without_an_smtp_host_the_mail_is_an_eml_file_in_the_outbox(
    app: Any, make_user: Any, settings: Any
) -> None:
    """With no CC_SMTP_HOST the transcript is written to instance/outbox/ as a readable .eml."""
    chat = _conversation_with_history(app, make_user("agent")["agent_id"])
    runtime = app.extensions["contactcentre"]
    assert runtime.settings.smtp_host is None
    where = Path(deliver_transcript(runtime, chat.conversation_id, "ann@example.com"))
    assert where.parent == settings.instance_path / "outbox" and where.suffix == ".eml"
    sent, text, _ = _parts(where.read_bytes())
    assert sent["To"] == "ann@example.com"
    assert "Where is my parcel?" in text and "secret coaching note" not in text
    assert not list(where.parent.glob("*.part"))


def test_a_bad_address_is_refused_naming_email(app: Any, client: Any, make_user: Any) -> None:
    """A missing or malformed address is 422 naming `email`, and no job is queued."""
    chat = make_chat(app, agent_id=make_user("agent")["agent_id"])
    for body in ({}, {"email": "nope"}, {"email": "ann@"}, {"email": 7}):
        answer = client.post(chat.url("transcript"), json=body, headers=chat.headers)
        assert answer.status_code == 422, body
        assert answer.get_json()["error"]["field"] == "email"
    queue = Queue(QUEUE, connection=redis.Redis.from_url(app.extensions["contactcentre"].redis_url))
    assert queue.count == 0


def test_at_most_three_transcripts_per_conversation(app: Any, client: Any, make_user: Any) -> None:
    """The fourth request of one conversation is 429 transcript_limit; another chat is not
    affected."""
    agent_id = make_user("agent")["agent_id"]
    chat, other = make_chat(app, agent_id=agent_id), make_chat(app, agent_id=agent_id)
    body = {"email": "ann@example.com"}
    codes = [
        client.post(chat.url("transcript"), json=body, headers=chat.headers).status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 202]
    fourth = client.post(chat.url("transcript"), json=body, headers=chat.headers)
    assert fourth.status_code == 429
    assert fourth.get_json()["error"]["code"] == "transcript_limit"
    assert client.post(other.url("transcript"), json=body, headers=other.headers).status_code == 202


def test_a_transcript_request_needs_the_conversations_token(app: Any, client: Any) -> None:
    """Without the conversation's token the request is 401 and nothing is queued."""
    chat = make_chat(app)
    answer = client.post(chat.url("transcript"), json={"email": "ann@example.com"})
    assert answer.status_code == 401
