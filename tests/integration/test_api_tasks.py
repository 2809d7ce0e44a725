"""/api/v1/tasks over HTTP: submitting work, and what the API answers to a task it already has."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from contactcentre.store.models import Interaction

pytestmark = pytest.mark.usefixtures("validated_responses")


def _interactions(app: Any) -> int:
    with app.extensions["contactcentre"].db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Interaction)) or 0)


def test_same_external_id_twice_is_409(app: Any, client: Any, make_user: Any) -> None:
    """A second task with an earlier one's channel and external_id is 409 naming external_id."""
    headers = make_user("supervisor")["headers"]
    body = {"channel": "voice", "external_id": "CA0123456789", "attributes": {"intent": "sales"}}
    first = client.post("/api/v1/tasks", json=body, headers=headers)
    assert first.status_code == 201
    again = client.post("/api/v1/tasks", json=body, headers=headers)
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert error["code"] == "duplicate"
    assert error["field"] == "external_id"
    assert "external_id" in error["message"]
    assert _interactions(app) == 1
    # The same id on another channel is another contact (a chat id may look like a CallSid).
    other = client.post("/api/v1/tasks", json={**body, "channel": "chat"}, headers=headers)
    assert other.status_code == 201
    assert _interactions(app) == 2


def test_openapi_says_a_repeated_external_id_is_refused(client: Any) -> None:
    """The document tells CTI integrators that a retried submit gets 409, not a second task."""
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/tasks"]["post"]
    assert "409" in operation["responses"]
    assert "409" in operation["description"]
    assert "external_id" in operation["description"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("priority", True), ("priority", 1.5), ("queue_id", True), ("priority", "5")],
)
def test_integers_must_be_integers(
    app: Any, client: Any, make_user: Any, field: str, value: Any
) -> None:
    """{"priority": true} is refused naming the field, not read as priority 1."""
    headers = make_user("supervisor")["headers"]
    response = client.post("/api/v1/tasks", json={"channel": "chat", field: value}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    assert _interactions(app) == 0
