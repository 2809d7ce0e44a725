"""Sign-in, roles on pages and API, CSRF, bearer tokens and the login rate limit."""

from __future__ import annotations

from typing import Any

from tests.integration.signin import csrf_token, login


def test_pages_need_sign_in(client: Any) -> None:
    """An anonymous visitor is sent to the login page."""
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.location


def test_sign_in_with_right_password(client: Any, make_user: Any) -> None:
    """The right password signs in and lands on the overview."""
    user = make_user("supervisor")
    response = login(client, user["email"], user["password"])
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Overview" in page.get_data(as_text=True)


def test_wrong_password_is_refused_with_message(client: Any, make_user: Any) -> None:
    """A wrong password answers 401 with a message next to the field, and no session."""
    user = make_user("agent")
    response = login(client, user["email"], "wrong password!!")
    assert response.status_code == 401
    assert "Email or password is not right." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_form_needs_csrf_token(client: Any, make_user: Any) -> None:
    """A login POST without the CSRF token is refused."""
    user = make_user("agent")
    response = client.post("/login", data={"email": user["email"], "password": user["password"]})
    assert response.status_code == 400


def test_open_redirect_is_ignored(client: Any, make_user: Any) -> None:
    """`next` pointing at another site is ignored after sign-in."""
    user = make_user("agent")
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user["email"], "password": user["password"], "csrf_token": token},
    )
    assert response.location == "/"


def test_login_rate_limit(app: Any, client: Any) -> None:
    """Too many sign-in attempts from one address are refused with 429."""
    app.extensions["contactcentre"].settings.login_rate_limit = "3 per minute"
    token = csrf_token(client)
    codes = [
        client.post(
            "/login",
            data={"email": "x@example.com", "password": "nope-nope-nope", "csrf_token": token},
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_refused_sign_in_says_why_on_the_sign_in_page(app: Any, client: Any) -> None:
    """Past the limit the sign-in page comes back with the reason and a Retry-After."""
    app.extensions["contactcentre"].settings.login_rate_limit = "1 per minute"
    token = csrf_token(client)
    data = {"email": "x@example.com", "password": "nope-nope-nope", "csrf_token": token}
    client.post("/login", data=data)
    refused = client.post("/login", data=data)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many failed sign-ins" in page
    assert 'name="password"' in page
    assert int(refused.headers["Retry-After"]) > 0


def test_successful_sign_ins_do_not_count_toward_the_limit(
    app: Any, client: Any, make_user: Any
) -> None:
    """An office behind one address signs in more often than the limit: only failures count."""
    app.extensions["contactcentre"].settings.login_rate_limit = "2 per minute"
    users = [make_user("agent") for _ in range(4)]
    for user in users:
        assert login(client, user["email"], user["password"]).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/console")})


def test_api_needs_credentials(client: Any) -> None:
    """The API without a token or session answers 401 in the error format."""
    response = client.get("/api/v1/skills")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_unknown_token_is_refused(client: Any) -> None:
    """A bearer token that was never issued answers 401 invalid_token."""
    response = client.get("/api/v1/skills", headers={"Authorization": "Bearer cc_nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_roles_are_enforced_on_api(client: Any, make_user: Any) -> None:
    """An agent may read skills but not manage users or create skills."""
    agent = make_user("agent")
    assert client.get("/api/v1/skills", headers=agent["headers"]).status_code == 200
    assert client.get("/api/v1/users", headers=agent["headers"]).status_code == 403
    response = client.post("/api/v1/skills", json={"name": "x"}, headers=agent["headers"])
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == "this needs the admin role"


def test_a_missing_role_is_refused_before_the_body_is_validated(
    client: Any, make_user: Any
) -> None:
    """A caller without the role gets 403, not a 422 describing the input they may not send."""
    agent = make_user("agent")
    response = client.post("/api/v1/users", json={"role": "nonsense"}, headers=agent["headers"])
    assert response.status_code == 403
    assert response.get_json()["error"] == {
        "code": "forbidden",
        "message": "this needs the admin role",
        "field": None,
    }


def test_supervisor_cannot_configure(client: Any, make_user: Any) -> None:
    """A supervisor may list agents but not change queues."""
    sup = make_user("supervisor")
    assert client.get("/api/v1/agents", headers=sup["headers"]).status_code == 200
    assert (
        client.post("/api/v1/queues", json={"name": "Q"}, headers=sup["headers"]).status_code == 403
    )


def test_session_api_writes_need_csrf_header(client: Any, make_user: Any) -> None:
    """A signed-in browser must send X-CSRFToken on API writes; with it the write succeeds."""
    admin = make_user("admin")
    login(client, admin["email"], admin["password"])
    refused = client.post("/api/v1/skills", json={"name": "billing"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "csrf"
    token = csrf_token(client, "/")
    ok = client.post("/api/v1/skills", json={"name": "billing"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 201


def test_deactivated_user_token_stops_working(client: Any, make_user: Any) -> None:
    """Deactivating a user revokes their API access at once."""
    admin, agent = make_user("admin"), make_user("agent")
    assert (
        client.delete(f"/api/v1/users/{agent['id']}", headers=admin["headers"]).status_code == 204
    )
    assert client.get("/api/v1/skills", headers=agent["headers"]).status_code == 401


def test_token_last_use_is_written_at_most_once_a_minute(
    app: Any, client: Any, make_user: Any
) -> None:
    """A token's last use is recorded, but repeated calls within a minute do not write again."""
    from datetime import timedelta

    from sqlalchemy import select

    from contactcentre.store.models import ApiToken

    agent = make_user("agent")
    db = app.extensions["contactcentre"].db

    def last_used() -> Any:
        with db.session() as session:
            return session.scalars(
                select(ApiToken.last_used_at).where(ApiToken.user_id == agent["id"])
            ).one()

    assert client.get("/api/v1/skills", headers=agent["headers"]).status_code == 200
    first = last_used()
    assert first is not None
    assert client.get("/api/v1/skills", headers=agent["headers"]).status_code == 200
    assert last_used() == first
    with db.session() as session:
        row = session.scalars(select(ApiToken).where(ApiToken.user_id == agent["id"])).one()
        row.last_used_at = first - timedelta(minutes=2)
    assert client.get("/api/v1/skills", headers=agent["headers"]).status_code == 200
    assert last_used() > first


def test_logout_needs_post(client: Any, make_user: Any) -> None:
    """Sign-out is a CSRF-protected POST; afterwards pages need sign-in again."""
    user = make_user("agent")
    login(client, user["email"], user["password"])
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_a_bearer_token_is_checked_in_one_query(app: Any, make_user: Any) -> None:
    """Checking a token reads the token, its user and agent in one SELECT, not their skills."""
    from sqlalchemy import event

    from contactcentre.auth.users import user_for_token

    agent = make_user("agent")
    token = agent["headers"]["Authorization"].removeprefix("Bearer ")
    db = app.extensions["contactcentre"].db
    with db.session() as session:
        user_for_token(session, token)  # the first use also records it
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.session() as session:
            user = user_for_token(session, token)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert user is not None and user.agent is not None
    assert [s.split()[0] for s in statements] == ["SELECT"]
