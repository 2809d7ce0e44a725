"""The agent's email API: the thread as the assigned agent (and a supervisor) reads it, with the
sanitised HTML, the text views and attachments they may download; a reply stored with its
threading headers and reference number, a `message_out` event by the agent, sent by the job;
templates filled in; and every refusal a 4xx naming its field."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI
from sqlalchemy import select

from contactcentre.email import sending
from contactcentre.platform.runtime import Runtime
from contactcentre.store.models import (
    CannedResponse,
    Customer,
    CustomerEmail,
    EmailMessageId,
    Interaction,
    InteractionEvent,
    Message,
    OutboundEmail,
)
from contactcentre.store.types import utcnow
from contactcentre.webapi.common import INT32_MAX
from tests.builders import add_queue
from tests.email_corpus import simple
from tests.integration.email.agent_email import PDF, arrived, assign, with_attachment

pytestmark = pytest.mark.usefixtures("validated_responses")


@pytest.fixture
def runtime(app: OpenAPI) -> Runtime:
    found: Runtime = app.extensions["contactcentre"]
    return found


@pytest.fixture
def held(runtime: Runtime, make_user: Any) -> tuple[str, dict[str, Any]]:
    """An email with an attachment, assigned to an agent."""
    agent = make_user("agent")
    interaction_id = arrived(runtime, with_attachment())
    assign(runtime, interaction_id, agent["agent_id"])
    return interaction_id, agent


def test_the_agent_reads_the_thread_sanitised_with_its_attachment(
    client: FlaskClient, held: tuple[str, dict[str, Any]]
) -> None:
    interaction_id, agent = held
    answer = client.get(f"/api/v1/emails/{interaction_id}", headers=agent["headers"])
    assert answer.status_code == 200, answer.get_json()
    thread = answer.get_json()
    assert thread["may_reply"] is True and thread["reference"].startswith("CC-")
    first, ack = thread["messages"]
    assert (first["direction"], first["from"], first["subject"]) == (
        "in",
        "ann@customer.example",
        "Where is my parcel",
    )
    assert "<b>my parcel</b>" in first["html"]
    assert "script" not in first["html"] and "tracker.example" not in first["html"]
    assert "my parcel is late" in first["text"]
    assert (ack["direction"], ack["purpose"], ack["status"]) == ("out", "acknowledgement", "queued")
    (pdf,) = first["attachments"]
    assert (pdf["filename"], pdf["accepted"]) == ("invoice.pdf", True)
    download = client.get(pdf["url"], headers=agent["headers"])
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Content-Type"] == "application/octet-stream"


def test_another_agent_sees_nothing_a_supervisor_reads_but_may_not_reply(
    client: FlaskClient, held: tuple[str, dict[str, Any]], make_user: Any
) -> None:
    interaction_id, _ = held
    other = make_user("agent")
    for url in (
        f"/api/v1/emails/{interaction_id}",
        f"/api/v1/emails/{interaction_id}/attachments/1",
    ):
        refused = client.get(url, headers=other["headers"])
        assert refused.status_code == 403
        assert refused.get_json()["error"]["field"] == "interaction_id"
    refused = client.post(
        f"/api/v1/emails/{interaction_id}/replies", json={"body": "hi"}, headers=other["headers"]
    )
    assert refused.status_code == 403
    supervisor = make_user("supervisor")
    seen = client.get(f"/api/v1/emails/{interaction_id}", headers=supervisor["headers"])
    assert seen.status_code == 200 and seen.get_json()["may_reply"] is False
    refused = client.post(
        f"/api/v1/emails/{interaction_id}/replies",
        json={"body": "hi"},
        headers=supervisor["headers"],
    )
    assert refused.status_code == 403


def test_a_reply_is_stored_with_threading_headers_then_sent_once(
    runtime: Runtime, client: FlaskClient, held: tuple[str, dict[str, Any]]
) -> None:
    interaction_id, agent = held
    answer = client.post(
        f"/api/v1/emails/{interaction_id}/replies",
        json={"body": "Your parcel left today.", "client_id": "r1"},
        headers=agent["headers"],
    )
    assert answer.status_code == 201, answer.get_json()
    out = answer.get_json()
    assert out["status"] == "queued" and out["to"] == "ann@customer.example"
    again = client.post(
        f"/api/v1/emails/{interaction_id}/replies",
        json={"body": "Your parcel left today.", "client_id": "r1"},
        headers=agent["headers"],
    )
    assert again.status_code == 200 and again.get_json()["id"] == out["id"]
    with runtime.db.session() as session:
        row = session.scalars(select(OutboundEmail).where(OutboundEmail.purpose == "reply")).one()
        reference = row.subject.rsplit("[", 1)[1].rstrip("]")
        assert row.subject == f"Re: Where is my parcel [{reference}]"
        assert row.in_reply_to == "att1@customer.example"
        assert row.references == "<older@customer.example> <att1@customer.example>"
        known = session.scalars(
            select(EmailMessageId.direction).where(EmailMessageId.message_id == row.message_id)
        ).one()
        assert known == "out"
        event = session.scalars(
            select(InteractionEvent).where(
                InteractionEvent.interaction_id == interaction_id,
                InteractionEvent.type == "message_out",
            )
        ).one()
        assert event.actor == f"agent:{agent['agent_id']}" and event.data["by"] == "agent"
        message = session.scalars(
            select(Message).where(
                Message.interaction_id == interaction_id, Message.direction == "out"
            )
        ).one()
        assert message.body == "Your parcel left today."
        outbound_id, message_id = row.id, row.message_id
    where = sending.deliver(runtime, outbound_id)  # what the RQ job runs (the outbox folder here)
    sent = message_from_bytes(Path(where).read_bytes(), policy=policy.default)
    assert sent["Message-ID"] == f"<{message_id}>"
    assert sent["In-Reply-To"] == "<att1@customer.example>"
    assert "Auto-Submitted" not in sent
    assert sending.deliver(runtime, outbound_id) == "already sent"
    thread = client.get(f"/api/v1/emails/{interaction_id}", headers=agent["headers"]).get_json()
    assert [m["status"] for m in thread["messages"] if m["purpose"] == "reply"] == ["sent"]


def test_a_template_is_filled_in_with_the_customers_name(
    runtime: Runtime, client: FlaskClient, make_user: Any
) -> None:
    agent = make_user("agent")
    with runtime.db.session() as session:
        customer = Customer(first_name="Ann", last_name="Customer")
        session.add(customer)
        session.flush()
        session.add(CustomerEmail(customer_id=customer.id, address="ann@customer.example"))
        canned = CannedResponse(
            title="Thanks", body="Dear {customer_name}, thank you. {agent_name}"
        )
        session.add(canned)
        session.flush()
        canned_id = canned.id
    interaction_id = arrived(runtime, simple())
    assign(runtime, interaction_id, agent["agent_id"])
    answer = client.post(
        f"/api/v1/emails/{interaction_id}/replies",
        json={"template_id": canned_id},
        headers=agent["headers"],
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["text"].startswith("Dear Ann Customer, thank you.")


def test_bad_replies_are_refused_naming_the_field(
    runtime: Runtime, client: FlaskClient, held: tuple[str, dict[str, Any]]
) -> None:
    interaction_id, agent = held
    url = f"/api/v1/emails/{interaction_id}/replies"
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"body": ""}, 422, "body"),
        ({"body": "   "}, 422, "body"),
        ({}, 422, "body"),
        ({"body": "x" * 20_001}, 422, "body"),
        ({"body": 5}, 422, "body"),
        ({"body": "hi", "template_id": 999}, 422, "template_id"),
        ({"body": "hi", "template_id": INT32_MAX + 1}, 422, "template_id"),
        ({"body": "hi", "surprise": 1}, 422, "surprise"),
    ]
    for body, status, field in cases:
        answer = client.post(url, json=body, headers=agent["headers"])
        assert answer.status_code == status, (body, answer.get_json())
        assert answer.get_json()["error"]["field"] == field, body
    with runtime.db.session() as session:
        assert (
            session.scalars(select(OutboundEmail).where(OutboundEmail.purpose == "reply")).all()
            == []
        )


def test_unknown_and_non_email_interactions(
    runtime: Runtime, client: FlaskClient, make_user: Any, admin: dict[str, Any]
) -> None:
    from contactcentre.interactions.opening import open_interaction

    supervisor = make_user("supervisor")
    missing = client.get("/api/v1/emails/nope", headers=supervisor["headers"])
    assert missing.status_code == 404 and missing.get_json()["error"]["field"] == "interaction_id"
    too_long = client.get("/api/v1/emails/" + "x" * 65, headers=supervisor["headers"])
    assert too_long.status_code == 422
    with runtime.db.session() as session:
        chat = open_interaction(
            session, channel="chat", external_id="c-1", at=utcnow(), actor="test"
        )
        session.commit()
        chat_id = chat.interaction.id
    wrong = client.get(f"/api/v1/emails/{chat_id}", headers=supervisor["headers"])
    assert wrong.status_code == 409 and wrong.get_json()["error"]["code"] == "not_email"
    interaction_id = arrived(runtime, with_attachment())
    gone = client.get(
        f"/api/v1/emails/{interaction_id}/attachments/{INT32_MAX}", headers=supervisor["headers"]
    )
    assert gone.status_code == 404 and gone.get_json()["error"]["field"] == "attachment_id"
    big = client.get(
        f"/api/v1/emails/{interaction_id}/attachments/{INT32_MAX + 1}",
        headers=supervisor["headers"],
    )
    assert big.status_code == 422 and big.get_json()["error"]["field"] == "attachment_id"


def test_a_template_of_another_queue_is_refused(
    runtime: Runtime, client: FlaskClient, held: tuple[str, dict[str, Any]]
) -> None:
    """Offered in the email's queue and in every queue; another queue's is 422 template_id."""
    interaction_id, agent = held
    with runtime.db.session() as session:
        mine, other = add_queue(session, "Email"), add_queue(session, "Sales")
        session.flush()
        interaction = session.get(Interaction, interaction_id)
        assert interaction is not None
        interaction.queue_id = mine.id
        theirs = CannedResponse(title="Sales only", body="Buy more", queue_id=other.id)
        ours = CannedResponse(title="Email", body="Thanks for writing", queue_id=mine.id)
        session.add_all([theirs, ours])
        session.flush()
        theirs_id, ours_id = theirs.id, ours.id
    url = f"/api/v1/emails/{interaction_id}/replies"
    refused = client.post(url, json={"template_id": theirs_id}, headers=agent["headers"])
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "template_id"
    taken = client.post(url, json={"template_id": ours_id}, headers=agent["headers"])
    assert taken.status_code == 201 and taken.get_json()["text"] == "Thanks for writing"
