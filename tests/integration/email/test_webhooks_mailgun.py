"""Mailgun inbound routes through the real app: signed as Mailgun signs them, the MIME and the
parsed forms become interactions routed like SMTP mail; a bad signature, a stale timestamp
and a replayed token are refused; Mailgun's retries (signed anew) store nothing twice."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
import redis
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI
from sqlalchemy import select

from contactcentre.platform.runtime import Runtime
from contactcentre.store.models import EmailAttachment, EmailThread, InboundEmail, Interaction
from tests.builders import add_queue
from tests.email_corpus import simple
from tests.integration.email.mailboxes import (
    add_mailbox,
    inbound_count,
    run_channel,
    submitted_tasks,
)
from tests.integration.email.webhook_requests import (
    SECRET,
    SECRET_ENV,
    mailgun_signature,
    multipart,
)


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
        webhook_provider="mailgun",
        webhook_secret_ref=f"env:{SECRET_ENV}",
    )


def _post(client: FlaskClient, url: str, fields: dict[str, bytes], **kwargs: Any) -> Any:
    content_type, body = multipart(fields, kwargs.pop("files", None))
    return client.post(url, data=body, content_type=content_type, **kwargs)


def test_a_mime_delivery_is_stored_then_routed_like_smtp_mail(
    runtime: Runtime, client: FlaskClient, mailbox: int, redis_client: redis.Redis
) -> None:
    """The route's URL ends in /mime: `body-mime` is the message; it opens an interaction
    submitted to the ACD."""
    fields = {
        **mailgun_signature(),
        "body-mime": simple(),
        "sender": b"ann@customer.example",
        "recipient": b"support@example.com",
    }
    answer = _post(client, f"/email/inbound/mailgun/{mailbox}/mime", fields)
    assert answer.status_code == 200, answer.get_json()
    row = run_channel(runtime, answer.get_json()["inbound_id"])
    assert isinstance(row, InboundEmail)
    assert (row.status, row.source, row.message_key) == (
        "processed",
        "mailgun",
        "m1@customer.example",
    )
    with runtime.db.session() as session:
        thread = session.get(EmailThread, row.thread_id)
        assert thread is not None
        interaction = session.get(Interaction, thread.interaction_id)
        assert interaction is not None
    (task,) = submitted_tasks(redis_client)
    assert task["task_id"] == interaction.id


def test_a_parsed_delivery_keeps_its_headers_body_and_attachment(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """`message-headers` pairs, `body-plain`, `attachment-1`: read back as the message."""
    pairs = [
        ["From", "Ann Customer <ann@customer.example>"],
        ["To", "support@example.com"],
        ["Subject", "Où est ma commande ?"],
        ["Message-Id", "<mg1@customer.example>"],
        ["Content-Type", 'multipart/mixed; boundary="orig"'],
    ]
    fields = {
        **mailgun_signature(),
        "message-headers": json.dumps(pairs).encode(),
        "body-plain": "Ma commande 1234 n'est pas arrivée.".encode(),
        "body-html": "<p>Ma commande 1234 n'est pas arrivée.</p>".encode(),
        "attachment-count": b"1",
    }
    answer = _post(
        client,
        f"/email/inbound/mailgun/{mailbox}",
        fields,
        files={"attachment-1": ("photo.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32)},
    )
    assert answer.status_code == 200, answer.get_json()
    row = run_channel(runtime, answer.get_json()["inbound_id"])
    assert isinstance(row, InboundEmail) and row.status == "processed"
    assert row.message_key == "mg1@customer.example"
    assert row.subject == "Où est ma commande ?"
    assert row.text_body is not None and "arrivée" in row.text_body
    with runtime.db.session() as session:
        (attachment,) = session.scalars(
            select(EmailAttachment).where(EmailAttachment.inbound_id == row.id)
        )
        assert (attachment.filename, attachment.content_type) == ("photo.png", "image/png")


def test_a_retry_signed_anew_answers_200_and_stores_nothing_twice(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """Mailgun retries with a new token and timestamp: 200, the same row."""
    url = f"/email/inbound/mailgun/{mailbox}/mime"
    first = _post(client, url, {**mailgun_signature(), "body-mime": simple()}).get_json()
    again = _post(client, url, {**mailgun_signature(), "body-mime": simple()}).get_json()
    assert again == {"inbound_id": first["inbound_id"], "duplicate": True}
    assert inbound_count(runtime.db) == 1


def test_a_bad_signature_is_refused(runtime: Runtime, client: FlaskClient, mailbox: int) -> None:
    """Signed with another key, or the token changed after signing: 401, nothing stored."""
    url = f"/email/inbound/mailgun/{mailbox}/mime"
    other_key = _post(client, url, {**mailgun_signature("another-key"), "body-mime": simple()})
    tampered = {**mailgun_signature(), "body-mime": simple()}
    tampered["token"] = b"x" + tampered["token"][1:]
    for answer in (other_key, _post(client, url, tampered)):
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] == "bad_signature"
    assert inbound_count(runtime.db) == 0


def test_a_stale_timestamp_is_refused(runtime: Runtime, client: FlaskClient, mailbox: int) -> None:
    """Correctly signed ten minutes ago (or ahead): 401 stale_timestamp."""
    url = f"/email/inbound/mailgun/{mailbox}/mime"
    for offset in (-600, 600):
        signed = mailgun_signature(timestamp=int(time.time()) + offset)
        answer = _post(client, url, {**signed, "body-mime": simple()})
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] == "stale_timestamp"
    assert inbound_count(runtime.db) == 0


def test_a_replayed_token_is_refused(
    runtime: Runtime, client: FlaskClient, mailbox: int, redis_client: redis.Redis
) -> None:
    """The very same signed request twice: the second is a replay (401), even for a message
    not stored before; the token is remembered in Redis with an expiry."""
    url = f"/email/inbound/mailgun/{mailbox}/mime"
    signed = mailgun_signature()
    assert _post(client, url, {**signed, "body-mime": simple()}).status_code == 200
    other = simple(message_id="<other@customer.example>")
    replay = _post(client, url, {**signed, "body-mime": other})
    assert replay.status_code == 401
    assert replay.get_json()["error"]["code"] == "replayed_token"
    assert inbound_count(runtime.db) == 1
    (key,) = redis_client.keys("cc:email:mailgun-token:*")
    assert 0 < redis_client.ttl(key) <= 660


@pytest.mark.parametrize(
    ("drop", "extra", "field"),
    [
        ("token", {}, "token"),
        ("timestamp", {}, "timestamp"),
        ("signature", {}, "signature"),
        (None, {"message-headers": b"{not json"}, "message-headers"),
        (None, {"message-headers": b'[["From"]]'}, "message-headers[0]"),
        (None, {"message-headers": b"[]", "attachment-count": b"1"}, "attachment-1"),
        (None, {}, "message-headers"),
    ],
)
def test_a_malformed_payload_is_refused_naming_the_field(
    runtime: Runtime,
    client: FlaskClient,
    mailbox: int,
    *,
    drop: str | None,
    extra: dict[str, bytes],
    field: str,
) -> None:
    """400 with the field's name; nothing stored."""
    fields = {**mailgun_signature(), **extra}
    if drop:
        fields.pop(drop)
    answer = _post(client, f"/email/inbound/mailgun/{mailbox}", fields)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["error"]["field"] == field
    assert inbound_count(runtime.db) == 0


def test_an_unreadable_message_is_stored_then_quarantined(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """A `body-mime` with headers but no sender of any kind: 200, then quarantined no_sender."""
    fields = {**mailgun_signature(), "body-mime": b"Subject: nobody sent this\r\n\r\nbody"}
    answer = _post(client, f"/email/inbound/mailgun/{mailbox}/mime", fields)
    assert answer.status_code == 200
    row = run_channel(runtime, answer.get_json()["inbound_id"])
    assert isinstance(row, InboundEmail) and row.status == "quarantined"


def test_urlencoded_posts_keep_their_bytes(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """Without attachments Mailgun posts urlencoded: a Latin-1 body-mime stays byte for byte."""
    raw = simple(body="").replace(b"charset=utf-8", b"charset=iso-8859-1") + "café".encode(
        "latin-1"
    )
    body = urlencode({**mailgun_signature(), "body-mime": raw}).encode()
    answer = client.post(
        f"/email/inbound/mailgun/{mailbox}/mime",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200, answer.get_json()
    with runtime.db.session() as session:
        stored = session.scalar(select(InboundEmail.raw))
    assert stored == raw


def test_a_token_refused_after_its_signature_may_come_again(
    runtime: Runtime, client: FlaskClient, mailbox: int
) -> None:
    """A signed request that was not stored (here: malformed) leaves its token free, so the
    same signed request, complete this time, is stored; a replay after that is refused."""
    url = f"/email/inbound/mailgun/{mailbox}"
    signed = mailgun_signature()
    assert _post(client, url, {**signed, "message-headers": b"{bad"}).status_code == 400
    assert _post(client, f"{url}/mime", {**signed, "body-mime": simple()}).status_code == 200
    replay = _post(client, f"{url}/mime", {**signed, "body-mime": simple()})
    assert replay.status_code == 401
    assert inbound_count(runtime.db) == 1
