"""POST and DELETE /api/v1/auth/token: bearer tokens for integrations, and their sign-in limit."""

from __future__ import annotations

from typing import Any

from tests.integration.signin import csrf_token

TOKEN = "/api/v1/auth/token"


def _issue(client: Any, email: str, password: str, **extra: Any) -> Any:
    return client.post(TOKEN, json={"email": email, "password": password, **extra})


def test_right_credentials_get_a_bearer_token_that_works(client: Any, make_user: Any) -> None:
    """An email and password trade for a token; the API then accepts it as the user."""
    user = make_user("supervisor")
    response = _issue(client, user["email"], user["password"], name="wallboard")
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("cc_")
    assert (body["token_type"], body["user_id"], body["role"]) == (
        "Bearer",
        user["id"],
        "supervisor",
    )
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/board", headers=headers).status_code == 200


def test_wrong_password_or_unknown_email_is_refused_with_the_json_error(
    client: Any, make_user: Any
) -> None:
    """A wrong password and an unknown email answer the same 401, naming neither."""
    user = make_user("agent")
    for email, password in ((user["email"], "wrong password!!"), ("nobody@example.com", "x" * 12)):
        response = _issue(client, email, password)
        assert response.status_code == 401
        assert response.get_json() == {
            "error": {
                "code": "invalid_credentials",
                "message": "email or password is not right",
                "field": None,
            }
        }


def test_missing_password_is_a_validation_error(client: Any) -> None:
    """A body without a password answers 422 naming the field."""
    response = client.post(TOKEN, json={"email": "a@example.com"})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "password"


def test_a_nul_character_is_refused_before_any_look_up(client: Any) -> None:
    """NUL (which PostgreSQL text cannot hold) in the email answers 422 naming the field."""
    response = client.post(TOKEN, json={"email": "a\x00@example.com", "password": "x" * 12})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "email"


def test_a_deactivated_user_neither_gets_nor_keeps_a_token(
    client: Any, make_user: Any, admin: dict[str, Any]
) -> None:
    """Once deactivated, the password no longer issues a token and an issued one is refused."""
    user = make_user("agent")
    token = _issue(client, user["email"], user["password"]).get_json()["token"]
    client.delete(f"/api/v1/users/{user['id']}", headers=admin["headers"])

    assert _issue(client, user["email"], user["password"]).status_code == 401
    response = client.get("/api/v1/dispositions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_delete_revokes_the_token_it_is_sent_with(client: Any, make_user: Any) -> None:
    """DELETE with a token revokes that token only; it is refused from then on."""
    user = make_user("agent")
    first = _issue(client, user["email"], user["password"]).get_json()["token"]
    second = _issue(client, user["email"], user["password"]).get_json()["token"]

    assert client.delete(TOKEN, headers={"Authorization": f"Bearer {first}"}).status_code == 204

    for token, status in ((first, 401), (second, 200)):
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/dispositions", headers=headers).status_code == status
    again = client.delete(TOKEN, headers={"Authorization": f"Bearer {first}"})
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "invalid_token"


def test_delete_without_a_bearer_token_is_refused(client: Any) -> None:
    """DELETE needs the token to revoke in the Authorization header."""
    response = client.delete(TOKEN)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_failed_attempts_are_limited_and_share_the_login_pages_budget(
    app: Any, client: Any, make_user: Any
) -> None:
    """Failures from one address are refused with a JSON 429 past the limit, on the API and the
    login page alike; the right password does not count."""
    app.extensions["contactcentre"].settings.login_rate_limit = "3 per minute"
    user = make_user("agent")
    for _ in range(4):
        assert _issue(client, user["email"], user["password"]).status_code == 201
    codes = [_issue(client, user["email"], "wrong password!!").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    refused = _issue(client, user["email"], user["password"])
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    form = {"email": user["email"], "password": user["password"], "csrf_token": csrf_token(client)}
    assert client.post("/login", data=form).status_code == 429


def test_the_openapi_document_describes_both_operations(client: Any) -> None:
    """The token paths are documented with their schemas; issuing needs no credentials."""
    doc = client.get("/api/v1/openapi.json").get_json()
    operations = doc["paths"][TOKEN]
    issue = operations["post"]
    assert issue.get("security", []) == []  # none declared: public
    body = issue["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/Credentials")
    assert issue["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ApiTokenOut"
    )
    assert {"email", "password"} <= set(doc["components"]["schemas"]["Credentials"]["required"])
    assert operations["delete"]["security"] == [{"bearer": []}]
    assert "204" in operations["delete"]["responses"]
