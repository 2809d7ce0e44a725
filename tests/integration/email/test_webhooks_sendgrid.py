"""SendGrid Inbound Parse through the real app: raw and parsed deliveries become interactions
routed like SMTP mail; the URL key or basic auth is required; retries store nothing twice;
malformed payloads are refused naming the field; unreadable mail is quarantined."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI
from sqlalchemy import select

from contactcentre.platform.runtime import Runtime
from contactcentre.store.models import EmailAttachment, EmailThread, InboundEmail, Interaction
from contactcentre.webapi.common import INT32_MAX
from tests.builders import add_queue
from tests.email_corpus import simple
from tests.integration.email.mailboxes import (
    add_mailbox,
    inbound_count,
    run_channel,
    submitted_tasks,
)
from tests.integration.email.webhook_requests import SECRET, SECRET_ENV, basic, multipart


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
        webhook_provider="sendgrid",
        webhook_user="sendgrid",
        webhook_secret_ref=f"env:{SECRET_ENV}",
    )


def _post(client: FlaskClient, url: str, fields: dict[str, bytes], **kwargs: Any) -> Any:
    content_type, body = multipart(fields, kwargs.pop("files", None))
    return client.post(url, data=body, content_type=content_type, **kwargs)


def test_a_raw_delivery_is_stored_then_routed_like_smtp_mail(
    runtime: Runtime, client: FlaskClient, mailbox: int, redis_client: redis.Redis
) -> None:
    """Raw mode (the MIME in `email`), key in the URL: 200 once stored; the processor opens an
    email interaction submitted to the ACD with the mailbox's queue."""
    answer = _post(
        client,
        f"/email/inbound/sendgrid/{mailbox}/{SECRET}",
        {"email": simple(), "envelope": b'{"to":["support@example.com"],"from":"a@b.example"}'},
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["duplicate"] is False
    row = run_channel(runtime, answer.get_json()["inbound_id"])
    assert isinstance(row, InboundEmail)
    assert (row.status, row.source, row.envelope_from) == ("processed", "sendgrid", "a@b.example")
    with runtime.db.session() as session:
        thread = session.get(EmailThread, row.thread_id)
        assert thread is not None
        interaction = session.get(Interaction, thread.interaction_id)
        assert interaction is not None and interaction.channel == "email"
    (task,) = submitted_tasks(redis_client)
    assert task["task_id"] == interaction.id and task["channel"] == "email"


def test_a_parsed_delivery_keeps_its_charset_headers_and_attachment(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """Parsed mode with basic auth: the text in the charset `charsets` names is read right,
    the headers are the message's own, the attachment is listed with its name."""
    headers = (
        b"From: Ann Customer <ann@customer.example>\r\nTo: support@example.com\r\n"
        b"Subject: Colis\r\nMessage-ID: <sg1@customer.example>\r\n"
        b"Content-Type: multipart/mixed; boundary=orig\r\n"
    )
    answer = _post(
        client,
        f"/email/inbound/sendgrid/{mailbox}",
        {
            "headers": headers,
            "text": "Mon colis n'est pas arrivé, merci.".encode("iso-8859-1"),
            "html": "<p>Mon colis n'est pas arrivé</p>".encode("iso-8859-1"),
            "charsets": b'{"text":"iso-8859-1","html":"iso-8859-1","subject":"UTF-8"}',
            "attachments": b"1",
            "attachment-info": b'{"attachment1":{"filename":"receipt.pdf",'
            b'"type":"application/pdf"}}',
        },
        files={"attachment1": ("receipt.pdf", "application/pdf", b"%PDF-1.4\n%fake\n")},
        headers=basic("sendgrid", SECRET),
    )
    assert answer.status_code == 200, answer.get_json()
    row = run_channel(runtime, answer.get_json()["inbound_id"])
    assert isinstance(row, InboundEmail) and row.status == "processed"
    assert row.message_key == "sg1@customer.example"
    assert row.from_address == "ann@customer.example" and row.subject == "Colis"
    assert row.text_body is not None and "arrivé" in row.text_body
    with runtime.db.session() as session:
        (attachment,) = session.scalars(
            select(EmailAttachment).where(EmailAttachment.inbound_id == row.id)
        )
        assert (attachment.filename, attachment.content_type) == ("receipt.pdf", "application/pdf")


def test_a_repeated_delivery_answers_200_and_stores_nothing_twice(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """SendGrid retries: the same raw message, and a parsed one without a Message-ID (its
    rebuilt bytes are the same), each end as one row."""
    url = f"/email/inbound/sendgrid/{mailbox}/{SECRET}"
    first = _post(client, url, {"email": simple()}).get_json()
    again = _post(client, url, {"email": simple()}).get_json()
    assert again == {"inbound_id": first["inbound_id"], "duplicate": True}
    parsed = {"headers": b"From: bob@customer.example\r\nSubject: hi\r\n", "text": b"no id here"}
    one = _post(client, url, parsed).get_json()
    two = _post(client, url, parsed).get_json()
    assert two == {"inbound_id": one["inbound_id"], "duplicate": True}
    assert inbound_count(runtime.db) == 2


def test_a_wrong_or_missing_credential_is_refused(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """A wrong URL key, a wrong basic-auth password or user, or none: 401 JSON, nothing stored."""
    fields = {"email": simple()}
    wrong_key = _post(client, f"/email/inbound/sendgrid/{mailbox}/not-the-key", fields)
    assert wrong_key.status_code == 401
    assert wrong_key.get_json()["error"]["code"] == "bad_credentials"
    url = f"/email/inbound/sendgrid/{mailbox}"
    for headers in (basic("sendgrid", "guess"), basic("someone", SECRET), {}):
        answer = _post(client, url, fields, headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["WWW-Authenticate"].startswith("Basic")
        assert answer.get_json()["error"]["code"] in ("bad_credentials", "credentials_missing")
    assert inbound_count(runtime.db) == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": b"no headers and no email"}, "headers"),
        ({"headers": b"From: a@b.example\r\n", "charsets": b"{not json"}, "charsets"),
        ({"headers": b"From: a@b.example\r\n", "attachments": b"two"}, "attachments"),
        ({"headers": b"From: a@b.example\r\n", "attachments": b"2"}, "attachment1"),
        ({"email": simple(), "envelope": b"[1, 2]"}, "envelope"),
    ],
)
def test_a_malformed_payload_is_refused_naming_the_field(
    runtime: Runtime, client: FlaskClient, mailbox: int, fields: dict[str, bytes], field: str
) -> None:
    """400 with the field's name; nothing stored."""
    answer = _post(client, f"/email/inbound/sendgrid/{mailbox}/{SECRET}", fields)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == {
        "code": "invalid_payload",
        "field": field,
        "message": answer.get_json()["error"]["message"],
    }
    assert inbound_count(runtime.db) == 0


def test_a_body_that_is_not_a_form_is_refused(client: FlaskClient, mailbox: int) -> None:
    """JSON where a form is expected: 400, not a 500."""
    answer = client.post(f"/email/inbound/sendgrid/{mailbox}/{SECRET}", json={"email": "x"})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_payload"


def test_an_unreadable_message_is_stored_then_quarantined(
    runtime: Runtime, client: FlaskClient, mailbox: int, make_user: Any
) -> None:
    """A raw `email` that is no mail message: 200 (SendGrid would otherwise retry it for three
    days), then quarantined with its reason and shown to administrators."""
    answer = _post(
        client, f"/email/inbound/sendgrid/{mailbox}/{SECRET}", {"email": b"just some words"}
    )
    assert answer.status_code == 200
    row = run_channel(runtime, answer.get_json()["inbound_id"])
    assert isinstance(row, InboundEmail) and row.status == "quarantined"
    listed = client.get("/api/v1/email/quarantine", headers=make_user("admin")["headers"])
    (item,) = listed.get_json()["items"]
    assert (item["reason"], item["source"]) == ("no_headers", "sendgrid")


def test_a_mailbox_without_this_webhook_is_not_found(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """No such mailbox, an id beyond 32 bits, or a mailbox set up for another provider: 404."""
    other = add_mailbox(
        runtime.db,
        "sales@example.com",
        webhook_provider="postmark",
        webhook_user="u",
        webhook_secret_ref=f"env:{SECRET_ENV}",
    )
    for ident in (other, mailbox + 100, INT32_MAX + 1):
        answer = _post(client, f"/email/inbound/sendgrid/{ident}/{SECRET}", {"email": simple()})
        assert answer.status_code == 404, ident
        assert answer.get_json()["error"]["field"] == "mailbox_id"


def test_an_unreadable_secret_asks_the_provider_to_retry(
    runtime: Runtime, client: FlaskClient, mailbox: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret's variable is not set: 503 (ours to fix; SendGrid retries), not a 500."""
    monkeypatch.delenv(SECRET_ENV)
    answer = _post(client, f"/email/inbound/sendgrid/{mailbox}/{SECRET}", {"email": simple()})
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "secret_unavailable"


def test_a_message_over_the_size_limit_is_refused(
    runtime: Runtime, client: FlaskClient, mailbox: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over CC_EMAIL_MAX_MESSAGE_BYTES: 413 naming the raw field, as SMTP refuses it with 552."""
    monkeypatch.setattr(runtime.settings, "email_max_message_bytes", 1024)
    big = simple(body="x" * 2000)
    answer = _post(client, f"/email/inbound/sendgrid/{mailbox}/{SECRET}", {"email": big})
    assert answer.status_code == 413
    assert answer.get_json()["error"]["field"] == "email"
    assert inbound_count(runtime.db) == 0


def test_a_get_on_a_webhook_url_answers_json(client: FlaskClient, mailbox: int) -> None:
    """The webhook URLs answer JSON errors like the API: a GET is 405 with Allow."""
    answer = client.get(f"/email/inbound/sendgrid/{mailbox}")
    assert answer.status_code == 405 and "POST" in answer.headers["Allow"]
    assert answer.get_json()["error"]["code"] == "method_not_allowed"
