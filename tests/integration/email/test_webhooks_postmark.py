"""Postmark inbound JSON through the real app: basic auth required; parsed and RawEmail
deliveries become interactions routed like SMTP mail; a retry (same MessageID) stores nothing
twice; malformed JSON is refused naming the field; what cannot be read is quarantined."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI
from sqlalchemy import select, text

from contactcentre.platform.runtime import Runtime
from contactcentre.store.models import (
    EmailAttachment,
    EmailQuarantine,
    EmailThread,
    InboundEmail,
    Interaction,
)
from tests.builders import add_queue
from tests.email_corpus import simple
from tests.integration.email.mailboxes import (
    add_mailbox,
    inbound_count,
    run_channel,
    submitted_tasks,
)
from tests.integration.email.webhook_requests import SECRET, SECRET_ENV, basic

USER = "postmark"


@pytest.fixture
def runtime(app: OpenAPI, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    found: Runtime = app.extensions["contactcentre"]
    return found


@pytest.fixture
def mailbox(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        queue_id = add_queue(session, "Email").id
    return add_mailbox(
        runtime.db,
        queue_id=queue_id,
        webhook_provider="postmark",
        webhook_user=USER,
        webhook_secret_ref=f"env:{SECRET_ENV}",
    )


def _payload(**changes: Any) -> dict[str, Any]:
    """Postmark's inbound JSON, with its documented field names."""
    payload: dict[str, Any] = {
        "From": "ann@customer.example",
        "FromName": "Ann Customer",
        "FromFull": {"Email": "ann@customer.example", "Name": "Ann Customer", "MailboxHash": ""},
        "To": "support@example.com",
        "ToFull": [{"Email": "support@example.com", "Name": "Support", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "Subject": "Where is my order?",
        "Date": "Mon, 7 Dec 2026 10:00:00 +0000",
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "MessageStream": "inbound",
        "TextBody": "My order 1234 has not arrived.",
        "HtmlBody": "<p>My order 1234 has not arrived.</p>",
        "StrippedTextReply": "",
        "Headers": [
            {"Name": "X-Spam-Status", "Value": "No"},
            {"Name": "Message-ID", "Value": "<pm1@customer.example>"},
            {"Name": "MIME-Version", "Value": "1.0"},
        ],
        "Attachments": [
            {
                "Name": "receipt.pdf",
                "Content": base64.b64encode(b"%PDF-1.4\n%fake\n").decode(),
                "ContentType": "application/pdf",
                "ContentLength": 15,
            }
        ],
    }
    payload.update(changes)
    return payload


def _post(client: FlaskClient, mailbox: int, payload: Any, **auth: str) -> Any:
    headers = basic(auth.get("user", USER), auth.get("password", SECRET))
    return client.post(f"/email/inbound/postmark/{mailbox}", json=payload, headers=headers)


def test_a_parsed_delivery_is_stored_then_routed_like_smtp_mail(
    runtime: Runtime, client: FlaskClient, mailbox: int, redis_client: redis.Redis
) -> None:
    """FromFull, Subject, Headers (the Message-ID), TextBody and a base64 attachment: one
    processed message, an interaction submitted to the ACD, the attachment listed."""
    answer = _post(client, mailbox, _payload())
    assert answer.status_code == 200, answer.get_json()
    row = run_channel(runtime, answer.get_json()["inbound_id"])
    assert isinstance(row, InboundEmail) and row.status == "processed"
    assert row.message_key == "pm1@customer.example"
    assert row.provider_event_id == "22c74902-a0c1-4511-804f-341342852c90"
    assert (row.from_address, row.subject) == ("ann@customer.example", "Where is my order?")
    with runtime.db.session() as session:
        thread = session.get(EmailThread, row.thread_id)
        assert thread is not None
        interaction = session.get(Interaction, thread.interaction_id)
        assert interaction is not None
        (attachment,) = session.scalars(
            select(EmailAttachment).where(EmailAttachment.inbound_id == row.id)
        )
        assert attachment.filename == "receipt.pdf" and attachment.size == 15
    (task,) = submitted_tasks(redis_client)
    assert task["task_id"] == interaction.id


def test_raw_email_is_stored_as_it_came(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """With RawEmail on, the message is RawEmail, not a rebuild of the parsed fields."""
    raw = simple(message_id="<raw1@customer.example>")
    answer = _post(client, mailbox, _payload(RawEmail=raw.decode()))
    assert answer.status_code == 200
    with runtime.db.session() as session:
        row = session.get(InboundEmail, answer.get_json()["inbound_id"])
        assert row is not None and row.raw == raw


def test_a_retry_of_the_same_message_id_stores_nothing_twice(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """Postmark's MessageID is the provider event id: a retry answers 200 with the first row,
    even when what it rebuilds differs (no Message-ID header, another Date)."""
    first = _post(client, mailbox, _payload()).get_json()
    assert _post(client, mailbox, _payload()).get_json() == {
        "inbound_id": first["inbound_id"],
        "duplicate": True,
    }
    changed = _payload(Headers=[], Date="Tue, 8 Dec 2026 10:00:00 +0000")
    assert _post(client, mailbox, changed).get_json()["inbound_id"] == first["inbound_id"]
    assert inbound_count(runtime.db) == 1


def test_wrong_basic_auth_is_refused(runtime: Runtime, client: FlaskClient, mailbox: int) -> None:
    """A wrong password or user, or no Authorization: 401 with WWW-Authenticate, not stored."""
    wrong = [
        _post(client, mailbox, _payload(), password="guess"),
        _post(client, mailbox, _payload(), user="someone"),
        client.post(f"/email/inbound/postmark/{mailbox}", json=_payload()),
    ]
    for answer in wrong:
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Basic")
    assert inbound_count(runtime.db) == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (["not", "an", "object"], None),
        (_payload(MessageID=None), "MessageID"),
        (_payload(MessageID="x" * 200), "MessageID"),
        (_payload(Subject=5), "Subject"),
        (_payload(FromFull="ann"), "FromFull"),
        (_payload(ToFull={"Email": "x"}), "ToFull"),
        (_payload(Headers=[{"Name": "X"}]), "Headers[0]"),
        (_payload(Attachments=[{"Name": "a", "Content": "***"}]), "Attachments[0].Content"),
        (_payload(Attachments="none"), "Attachments"),
    ],
)
def test_a_malformed_payload_is_refused_naming_the_field(
    runtime: Runtime, client: FlaskClient, mailbox: int, payload: Any, field: str | None
) -> None:
    """400 with the field's name (None for a body that is no JSON object); nothing stored."""
    answer = _post(client, mailbox, payload)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["error"]["field"] == field
    assert inbound_count(runtime.db) == 0


def test_a_body_that_is_not_json_is_refused(client: FlaskClient, mailbox: int) -> None:
    """Bytes that are not JSON: 400, not a 500."""
    answer = client.post(
        f"/email/inbound/postmark/{mailbox}",
        data=b"\xff\xfe not json",
        content_type="application/json",
        headers=basic(USER, SECRET),
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_payload"


def test_an_unreadable_message_is_stored_then_quarantined(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """A RawEmail that is no mail message: 200, then quarantined with the parser's reason."""
    answer = _post(client, mailbox, _payload(RawEmail="no headers at all"))
    assert answer.status_code == 200
    row = run_channel(runtime, answer.get_json()["inbound_id"])
    assert isinstance(row, InboundEmail) and row.status == "quarantined"


def test_a_payload_that_cannot_be_rebuilt_is_kept_and_quarantined(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """A subject with a lone surrogate (valid JSON, no text) cannot be written as a message:
    the payload is stored as it came and quarantined at once as provider_payload; 200."""
    body = b'{"MessageID": "pm-bad-1", "Subject": "\\ud800", "TextBody": "hello"}'
    answer = client.post(
        f"/email/inbound/postmark/{mailbox}",
        data=body,
        content_type="application/json",
        headers=basic(USER, SECRET),
    )
    assert answer.status_code == 200, answer.get_json()
    with runtime.db.session() as session:
        row = session.get(InboundEmail, answer.get_json()["inbound_id"])
        assert row is not None and row.status == "quarantined" and row.raw == body
        reason = session.scalar(
            select(EmailQuarantine.reason).where(EmailQuarantine.inbound_id == row.id)
        )
        assert reason == "provider_payload"
    again = client.post(
        f"/email/inbound/postmark/{mailbox}",
        data=body,
        content_type="application/json",
        headers=basic(USER, SECRET),
    )
    assert again.get_json()["duplicate"] is True


def test_a_delivery_that_cannot_be_stored_is_retried_by_the_provider(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """The database refuses the write (its table is away): 503 with Retry-After, not a 200
    for a message we do not have; Postmark's retry, once the table is back, stores it."""
    with runtime.db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE email_inbound RENAME TO email_inbound_away"))
    try:
        refused = _post(client, mailbox, _payload())
    finally:
        with runtime.db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE email_inbound_away RENAME TO email_inbound"))
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "60"
    assert refused.get_json()["error"]["code"] == "not_stored"
    retried = _post(client, mailbox, _payload())
    assert retried.status_code == 200 and retried.get_json()["duplicate"] is False
    assert inbound_count(runtime.db) == 1
