"""/api/v1/users: accounts and roles, admins only."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("validated_responses")


def test_user_lifecycle(client: Any, admin: Any) -> None:
    """An admin creates a user, changes the role, and deactivates them."""
    h = admin["headers"]
    created = client.post(
        "/api/v1/users",
        json={
            "email": "New.Person@Example.com",
            "name": "New Person",
            "role": "agent",
            "password": "long enough pass",
        },
        headers=h,
    )
    assert created.status_code == 201, created.get_json()
    user = created.get_json()
    assert user["email"] == "new.person@example.com"
    assert "password" not in user and "password_hash" not in user
    promoted = client.patch(f"/api/v1/users/{user['id']}", json={"role": "supervisor"}, headers=h)
    assert promoted.get_json()["role"] == "supervisor"
    assert client.delete(f"/api/v1/users/{user['id']}", headers=h).status_code == 204
    assert client.get(f"/api/v1/users/{user['id']}", headers=h).get_json()["active"] is False


def test_short_password(client: Any, admin: Any) -> None:
    """A password under 10 characters names the password field."""
    response = client.post(
        "/api/v1/users",
        json={"email": "a@example.com", "name": "A", "password": "short"},
        headers=admin["headers"],
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "password"


def test_bad_email(client: Any, admin: Any) -> None:
    """An address that is not an email names the email field."""
    response = client.post(
        "/api/v1/users",
        json={"email": "not-an-email", "name": "A", "password": "long enough pass"},
        headers=admin["headers"],
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "email"


def test_duplicate_email_is_409(client: Any, admin: Any) -> None:
    """Emails are unique regardless of case."""
    body = {"email": "dup@example.com", "name": "A", "password": "long enough pass"}
    client.post("/api/v1/users", json=body, headers=admin["headers"])
    body["email"] = "DUP@example.com"
    response = client.post("/api/v1/users", json=body, headers=admin["headers"])
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "email"


def test_unknown_role_and_timezone(client: Any, admin: Any) -> None:
    """Roles are agent/supervisor/admin and time zones must be IANA names."""
    body = {"email": "r@example.com", "name": "R", "password": "long enough pass", "role": "boss"}
    assert (
        client.post("/api/v1/users", json=body, headers=admin["headers"]).get_json()["error"][
            "field"
        ]
        == "role"
    )
    body.update(role="agent", timezone="Mars/Olympus")
    response = client.post("/api/v1/users", json=body, headers=admin["headers"])
    assert response.get_json()["error"]["field"] == "timezone"


def test_admin_cannot_lock_themselves_out(client: Any, admin: Any) -> None:
    """An admin cannot deactivate or demote their own account."""
    assert (
        client.delete(f"/api/v1/users/{admin['id']}", headers=admin["headers"]).status_code == 409
    )
    response = client.patch(
        f"/api/v1/users/{admin['id']}", json={"role": "agent"}, headers=admin["headers"]
    )
    assert response.status_code == 409


@pytest.mark.parametrize("active", [0, 1, "false", None])
def test_active_must_be_a_boolean(client: Any, admin: Any, make_user: Any, active: Any) -> None:
    """{"active": 0} is refused naming the field; it used to deactivate the user."""
    user = make_user("agent")
    h = admin["headers"]
    response = client.patch(f"/api/v1/users/{user['id']}", json={"active": active}, headers=h)
    if active is None:
        assert response.status_code == 200  # null leaves the field as it is
    else:
        assert response.status_code == 422
        assert response.get_json()["error"]["field"] == "active"
    assert client.get(f"/api/v1/users/{user['id']}", headers=h).get_json()["active"] is True
