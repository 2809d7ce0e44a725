"""Administrators see the quarantine: the API lists each message with its reason, the
overview page shows the latest; agents and supervisors are refused."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI

from contactcentre.settings import Settings
from tests.integration.email.mailboxes import add_mailbox, deliver, processor
from tests.integration.signin import login


def _quarantine_one(app: OpenAPI, settings: Settings) -> None:
    db = app.extensions["contactcentre"].db
    mailbox = add_mailbox(db)
    deliver(db, mailbox, b"Subject: nobody sent this\r\n\r\nbody")
    processor(db, settings).run_once()


def test_the_api_lists_quarantined_messages_with_the_reason(
    app: OpenAPI, client: FlaskClient, settings: Settings, make_user: Any
) -> None:
    """GET /api/v1/email/quarantine: the reason code, the detail, the mailbox and the size."""
    _quarantine_one(app, settings)
    admin = make_user("admin")
    answer = client.get("/api/v1/email/quarantine", headers=admin["headers"])
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert item["reason"] == "no_sender" and item["mailbox"] == "support@example.com"
    assert item["size"] > 0
    supervisor = make_user("supervisor")
    refused = client.get("/api/v1/email/quarantine", headers=supervisor["headers"])
    assert refused.status_code == 403


def test_a_bad_page_size_is_refused_naming_the_field(client: FlaskClient, make_user: Any) -> None:
    """limit=0 is a 422 naming `limit`, not a 500."""
    admin = make_user("admin")
    answer = client.get("/api/v1/email/quarantine?limit=0", headers=admin["headers"])
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "limit"


def test_the_overview_shows_administrators_the_quarantine(
    app: OpenAPI, client: FlaskClient, settings: Settings, make_user: Any
) -> None:
    """The admin's overview page has the quarantine section with the reason; an agent's not."""
    _quarantine_one(app, settings)
    admin = make_user("admin")
    login(client, admin["email"], admin["password"])
    page = client.get("/").get_data(as_text=True)
    assert "Email quarantine" in page and "no_sender" in page
    agent = make_user("agent")
    other = app.test_client()
    login(other, agent["email"], agent["password"])
    assert "Email quarantine" not in other.get("/").get_data(as_text=True)
