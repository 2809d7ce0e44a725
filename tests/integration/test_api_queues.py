"""/api/v1/queues CRUD with routing-expression validation."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("validated_responses")


def test_queue_lifecycle(client: Any, admin: Any) -> None:
    """A queue can be created with an expression and strategy, changed and deleted."""
    h = admin["headers"]
    client.post("/api/v1/skills", json={"name": "billing"}, headers=h)
    created = client.post(
        "/api/v1/queues",
        json={
            "name": "Billing",
            "expression": 'skills.billing >= 5 and "es" in languages',
            "strategy": "most_skilled",
            "skill": "billing",
            "sla_target_seconds": 20,
        },
        headers=h,
    )
    assert created.status_code == 201, created.get_json()
    queue = created.get_json()
    assert queue["wrap_up_seconds"] == 30
    changed = client.patch(
        f"/api/v1/queues/{queue['id']}", json={"strategy": "round_robin"}, headers=h
    ).get_json()
    assert changed["strategy"] == "round_robin"
    assert client.delete(f"/api/v1/queues/{queue['id']}", headers=h).status_code == 204


def test_expression_syntax_error_names_position(client: Any, admin: Any) -> None:
    """A broken expression is refused with the position and what was expected."""
    response = client.post(
        "/api/v1/queues",
        json={"name": "Q", "expression": "skills.billing >= "},
        headers=admin["headers"],
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_expression"
    assert error["field"] == "expression"
    assert "position 18" in error["message"]


def test_unknown_strategy(client: Any, admin: Any) -> None:
    """A strategy that does not exist names the strategy field."""
    response = client.post(
        "/api/v1/queues", json={"name": "Q", "strategy": "loudest_first"}, headers=admin["headers"]
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "strategy"


def test_duplicate_queue_name(client: Any, admin: Any) -> None:
    """Two queues cannot share a name."""
    client.post("/api/v1/queues", json={"name": "Sales"}, headers=admin["headers"])
    response = client.post("/api/v1/queues", json={"name": "Sales"}, headers=admin["headers"])
    assert response.status_code == 409


def test_queue_skill_must_exist(client: Any, admin: Any) -> None:
    """The ranking skill of a queue must be a known skill."""
    response = client.post(
        "/api/v1/queues", json={"name": "Q", "skill": "nope"}, headers=admin["headers"]
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "skill"


def test_queue_used_by_plan_cannot_be_deleted(app: Any, client: Any, admin: Any) -> None:
    """A queue a routing plan sends work to cannot be deleted."""
    from contactcentre.store.models import RoutingPlan

    queue_id = client.post(
        "/api/v1/queues", json={"name": "Q"}, headers=admin["headers"]
    ).get_json()["id"]
    with app.extensions["contactcentre"].db.session() as session:
        session.add(RoutingPlan(name="P", steps=[{"queue_id": queue_id}]))
    response = client.delete(f"/api/v1/queues/{queue_id}", headers=admin["headers"])
    assert response.status_code == 409
    assert "P" in response.get_json()["error"]["message"]
