"""/api/v1/skills CRUD."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("validated_responses")


def test_skill_lifecycle(client: Any, admin: Any) -> None:
    """A skill can be created, read, renamed, listed and deleted."""
    h = admin["headers"]
    created = client.post(
        "/api/v1/skills", json={"name": "billing", "description": "Bills"}, headers=h
    )
    assert created.status_code == 201
    skill_id = created.get_json()["id"]
    assert client.get(f"/api/v1/skills/{skill_id}", headers=h).get_json()["name"] == "billing"
    renamed = client.patch(f"/api/v1/skills/{skill_id}", json={"name": "payments"}, headers=h)
    assert renamed.get_json()["name"] == "payments"
    listing = client.get("/api/v1/skills", headers=h).get_json()
    assert listing["total"] == 1
    assert client.delete(f"/api/v1/skills/{skill_id}", headers=h).status_code == 204
    assert client.get(f"/api/v1/skills/{skill_id}", headers=h).status_code == 404


def test_duplicate_skill_is_409(client: Any, admin: Any) -> None:
    """Two skills cannot share a name."""
    client.post("/api/v1/skills", json={"name": "sales"}, headers=admin["headers"])
    response = client.post("/api/v1/skills", json={"name": "sales"}, headers=admin["headers"])
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "name"


def test_skill_name_must_be_an_identifier(client: Any, admin: Any) -> None:
    """Skill names appear in routing expressions, so only lower-case identifiers are allowed."""
    response = client.post(
        "/api/v1/skills", json={"name": "Tech Support"}, headers=admin["headers"]
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "name"


def test_skill_in_use_cannot_be_deleted(client: Any, admin: Any, make_user: Any) -> None:
    """A skill still held by an agent cannot be deleted (409 naming the skill)."""
    h = admin["headers"]
    skill_id = client.post("/api/v1/skills", json={"name": "claims"}, headers=h).get_json()["id"]
    agent = make_user("agent")
    client.patch(f"/api/v1/agents/{agent['agent_id']}", json={"skills": {"claims": 4}}, headers=h)
    response = client.delete(f"/api/v1/skills/{skill_id}", headers=h)
    assert response.status_code == 409
    assert "held by 1 agent" in response.get_json()["error"]["message"]


def test_changes_are_audited(app: Any, client: Any, admin: Any) -> None:
    """Every configuration change writes an audit entry naming the actor."""
    from sqlalchemy import select

    from contactcentre.store.models import AuditEntry

    client.post("/api/v1/skills", json={"name": "vip"}, headers=admin["headers"])
    with app.extensions["contactcentre"].db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "skill.create")).one()
        assert entry.actor_user_id == admin["id"]
        assert entry.details["name"] == "vip"
