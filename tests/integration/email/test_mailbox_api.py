"""The mailbox API takes and validates a mailbox's IMAP polling and provider webhook settings:
secrets only as references, bad input refused naming the field, a mailbox configured through
the API receives its provider's webhook."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI

from contactcentre.store.models import Mailbox
from contactcentre.webapi.common import INT32_MAX
from tests.email_corpus import simple
from tests.integration.email.webhook_requests import SECRET, SECRET_ENV, basic

URL = "/api/v1/email/mailboxes"
pytestmark = pytest.mark.usefixtures("validated_responses")


@pytest.fixture
def headers(make_user: Any) -> dict[str, str]:
    found: dict[str, str] = make_user("admin")["headers"]
    return found


IMAP = {
    "imap_host": "imap.example.com",
    "imap_port": 993,
    "imap_tls": "ssl",
    "imap_user": "support@example.com",
    "imap_secret_ref": "env:CC_SUPPORT_IMAP_PASSWORD",
    "imap_folder": "INBOX/Support",
}


def test_a_mailbox_is_created_with_its_imap_settings_and_no_secret(
    client: FlaskClient, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The IMAP fields are stored and returned; the password is never asked for nor shown,
    only where it is (env:NAME)."""
    monkeypatch.setenv("CC_SUPPORT_IMAP_PASSWORD", "the-real-imap-password")
    answer = client.post(URL, json={"address": "Support@Example.com", **IMAP}, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert {k: body[k] for k in IMAP} == IMAP
    assert body["address"] == "support@example.com" and body["webhook_url"] is None
    again = client.get(f"{URL}/{body['id']}", headers=headers).get_json()
    assert again == body
    assert "the-real-imap-password" not in client.get(URL, headers=headers).get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"imap_port": 0}, "imap_port"),
        ({"imap_port": 65536}, "imap_port"),
        ({"imap_port": "993"}, "imap_port"),
        ({"imap_tls": "tls"}, "imap_tls"),
        ({"imap_host": "bad host!"}, "imap_host"),
        ({"imap_host": ""}, "imap_host"),
        ({"imap_secret_ref": "hunter2"}, "imap_secret_ref"),
        ({"imap_secret_ref": "env:"}, "imap_secret_ref"),
        ({"imap_folder": "IN\r\nBOX"}, "imap_folder"),
        ({"imap_user": "a\x07b"}, "imap_user"),
        ({"imap_secret_ref": None}, "imap_secret_ref"),
        ({"webhook_provider": "sparkpost"}, "webhook_provider"),
        ({"webhook_provider": "mailgun"}, "webhook_secret_ref"),
        ({"webhook_provider": "postmark", "webhook_secret_ref": "env:X"}, "webhook_user"),
        ({"webhook_user": "a:b"}, "webhook_user"),
        ({"webhook_secret_ref": "plain-secret"}, "webhook_secret_ref"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(
    app: OpenAPI,
    client: FlaskClient,
    headers: dict[str, str],
    changes: dict[str, Any],
    field: str,
) -> None:
    """422 with the field's name, on create and on update; nothing is saved."""
    created = client.post(URL, json={"address": "sales@example.com"}, headers=headers)
    mailbox_id = created.get_json()["id"]
    for answer in (
        client.post(URL, json={"address": "new@example.com", **IMAP, **changes}, headers=headers),
        client.patch(f"{URL}/{mailbox_id}", json={**IMAP, **changes}, headers=headers),
    ):
        assert answer.status_code == 422, answer.get_json()
        assert answer.get_json()["error"]["field"] == field
    with app.extensions["contactcentre"].db.session() as session:
        row = session.get(Mailbox, mailbox_id)
        assert row is not None and row.imap_host is None and row.webhook_provider is None
        assert session.query(Mailbox).count() == 1


def test_ids_beyond_32_bits_are_refused_not_a_500(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    """GET and PATCH of mailbox 2**31: 422 naming mailbox_id; an unknown one: 404."""
    for method in (client.get, client.patch):
        kwargs: dict[str, Any] = {"json": {}} if method == client.patch else {}
        answer = method(f"{URL}/{INT32_MAX + 1}", headers=headers, **kwargs)
        assert answer.status_code == 422
        assert answer.get_json()["error"]["field"] == "mailbox_id"
    assert client.get(f"{URL}/{INT32_MAX}", headers=headers).status_code == 404


def test_changing_the_folder_reads_it_from_the_start(
    app: OpenAPI, client: FlaskClient, headers: dict[str, str]
) -> None:
    """Another folder's UIDs are not the old ones: the poller's place is reset; a change that
    does not move it (the port) keeps it."""
    body = client.post(URL, json={"address": "s@example.com", **IMAP}, headers=headers).get_json()
    db = app.extensions["contactcentre"].db
    with db.session() as session:
        row = session.get(Mailbox, body["id"])
        assert row is not None
        row.imap_uidvalidity, row.imap_last_uid = 7, 42
    client.patch(f"{URL}/{body['id']}", json={"imap_port": 1993}, headers=headers)
    with db.session() as session:
        row = session.get(Mailbox, body["id"])
        assert row is not None and (row.imap_uidvalidity, row.imap_last_uid) == (7, 42)
    answer = client.patch(f"{URL}/{body['id']}", json={"imap_folder": "Archive"}, headers=headers)
    assert answer.status_code == 200 and answer.get_json()["imap_folder"] == "Archive"
    with db.session() as session:
        row = session.get(Mailbox, body["id"])
        assert row is not None and (row.imap_uidvalidity, row.imap_last_uid) == (None, 0)


def test_a_webhook_set_up_through_the_api_receives_mail(
    client: FlaskClient, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PATCH the Postmark settings; the answer gives the URL; a delivery to it is stored; and
    clearing the provider closes the URL (404)."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    body = client.post(URL, json={"address": "help@example.com"}, headers=headers).get_json()
    settings = {
        "webhook_provider": "postmark",
        "webhook_user": "pm",
        "webhook_secret_ref": f"env:{SECRET_ENV}",
    }
    answer = client.patch(f"{URL}/{body['id']}", json=settings, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    url = answer.get_json()["webhook_url"]
    assert url.endswith(f"/email/inbound/postmark/{body['id']}")
    path = "/" + url.split("/", 3)[3]
    delivery = {"MessageID": "pm-api-1", "RawEmail": simple().decode()}
    assert client.post(path, json=delivery, headers=basic("pm", SECRET)).status_code == 200
    closed = client.patch(f"{URL}/{body['id']}", json={"webhook_provider": None}, headers=headers)
    assert closed.status_code == 200 and closed.get_json()["webhook_url"] is None
    assert client.post(path, json=delivery, headers=basic("pm", SECRET)).status_code == 404


def test_the_openapi_document_describes_the_settings(client: FlaskClient) -> None:
    """The IMAP and webhook fields are in the published schemas, the secret as a reference."""
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("MailboxIn", "MailboxPatch", "MailboxOut"):
        properties = schemas[name]["properties"]
        for field in ("imap_host", "imap_port", "imap_tls", "imap_secret_ref", "webhook_provider"):
            assert field in properties, (name, field)
    secretive = [p for p in schemas["MailboxOut"]["properties"] if "secret" in p or "pass" in p]
    assert secretive == ["imap_secret_ref", "webhook_secret_ref"]


def test_only_administrators_configure_mailboxes(client: FlaskClient, make_user: Any) -> None:
    """A supervisor is refused (403) reading or changing a mailbox."""
    admin = make_user("admin")["headers"]
    body = client.post(URL, json={"address": "x@example.com"}, headers=admin).get_json()
    supervisor = make_user("supervisor")["headers"]
    assert client.get(f"{URL}/{body['id']}", headers=supervisor).status_code == 403
    patched = client.patch(f"{URL}/{body['id']}", json={"imap_port": 1}, headers=supervisor)
    assert patched.status_code == 403
