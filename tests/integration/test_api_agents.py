"""/api/v1/agents CRUD: skills with levels, attributes and channel capacity."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("validated_responses")


def _skills(client: Any, h: dict[str, str], *names: str) -> None:
    for name in names:
        client.post("/api/v1/skills", json={"name": name}, headers=h)


def test_agent_lifecycle(client: Any, admin: Any, make_user: Any) -> None:
    """An agent profile with skills, attributes, phone and capacity round-trips."""
    h = admin["headers"]
    _skills(client, h, "billing", "sales")
    user = make_user("agent", agent=False)
    body = {
        "user_id": user["id"],
        "display_name": "Ana",
        "phone_number": "(202) 555-0142",
        "skills": {"billing": 9, "sales": 4},
        "attributes": {"languages": ["en", "es"]},
        "capacity": {"units": {"voice": 1, "chat": 1}, "limits": {"voice": 1, "chat": 3}},
    }
    created = client.post("/api/v1/agents", json=body, headers=h)
    assert created.status_code == 201, created.get_json()
    agent = created.get_json()
    assert agent["phone_number"] == "+12025550142"
    assert agent["skills"] == {"billing": 9, "sales": 4}
    assert agent["capacity"]["limits"] == {"voice": 1, "chat": 3}
    patched = client.patch(
        f"/api/v1/agents/{agent['id']}", json={"skills": {"sales": 7}}, headers=h
    ).get_json()
    assert patched["skills"] == {"sales": 7}
    assert client.delete(f"/api/v1/agents/{agent['id']}", headers=h).status_code == 204


def test_skill_level_out_of_range(client: Any, admin: Any, make_user: Any) -> None:
    """A skill level outside 1-10 is refused naming skills.<name>."""
    _skills(client, admin["headers"], "billing")
    user = make_user("agent")
    response = client.patch(
        f"/api/v1/agents/{user['agent_id']}",
        json={"skills": {"billing": 11}},
        headers=admin["headers"],
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "skills.billing"


def test_unknown_skill_is_refused(client: Any, admin: Any, make_user: Any) -> None:
    """Naming a skill that does not exist is a 422 on that skill."""
    user = make_user("agent")
    response = client.patch(
        f"/api/v1/agents/{user['agent_id']}",
        json={"skills": {"juggling": 3}},
        headers=admin["headers"],
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "validation_error",
        "message": "unknown skill 'juggling'",
        "field": "skills.juggling",
    }


def test_bad_phone_is_refused(client: Any, admin: Any, make_user: Any) -> None:
    """An agent phone that is not a number names phone_number."""
    user = make_user("agent")
    response = client.patch(
        f"/api/v1/agents/{user['agent_id']}", json={"phone_number": "12"}, headers=admin["headers"]
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "phone_number"


def test_bad_capacity_is_refused(client: Any, admin: Any, make_user: Any) -> None:
    """A capacity with negative limits is refused by the routing engine's own validation."""
    user = make_user("agent")
    response = client.patch(
        f"/api/v1/agents/{user['agent_id']}",
        json={"capacity": {"limits": {"chat": -1}}},
        headers=admin["headers"],
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"].startswith("capacity")


def test_one_agent_profile_per_user(client: Any, admin: Any, make_user: Any) -> None:
    """A user who is already an agent cannot get a second profile (409 on user_id)."""
    user = make_user("agent")
    response = client.post(
        "/api/v1/agents",
        json={"user_id": user["id"], "display_name": "Again"},
        headers=admin["headers"],
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "user_id"


def test_agent_for_unknown_user(client: Any, admin: Any) -> None:
    """Creating an agent for a user that does not exist names user_id."""
    response = client.post(
        "/api/v1/agents", json={"user_id": 4242, "display_name": "Ghost"}, headers=admin["headers"]
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "user_id"
