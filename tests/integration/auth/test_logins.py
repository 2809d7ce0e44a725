"""Each sign-in is a login of its own (auth.logins, api.logins): signing out ends that login
only, for every copy of its cookie; one or all can be listed and ended; rights changes end all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI

from contactcentre.store.models import WebLogin
from tests.integration.signin import csrf_token, login

Person = dict[str, Any]


def _signed_in(app: OpenAPI, person: Person, **form: str) -> FlaskClient:
    browser = app.test_client()
    response = login(browser, person["email"], person["password"]) if not form else None
    if form:
        token = csrf_token(browser)
        response = browser.post(
            "/login",
            data={
                "email": person["email"],
                "password": person["password"],
                "csrf_token": token,
                **form,
            },
        )
    assert response is not None and response.status_code == 302, "the sign-in failed"
    return browser


def _copy(app: OpenAPI, browser: FlaskClient, *names: str) -> FlaskClient:
    """Another client holding copies of the browser's cookies (a stolen cookie)."""
    thief = app.test_client()
    for name in names:
        cookie = browser.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        thief.set_cookie(name, cookie.value)
    return thief


def _sign_out(browser: FlaskClient) -> None:
    response = browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})
    assert response.status_code == 302


def _logins(client: FlaskClient, user_id: int, headers: dict[str, str] | None = None) -> Any:
    return client.get(f"/api/v1/users/{user_id}/logins", headers=headers or {})


def _ids(client: FlaskClient, person: Person) -> list[str]:
    response = _logins(client, person["id"], person["headers"])
    assert response.status_code == 200
    return [item["id"] for item in response.get_json()["items"]]


def _works(browser: FlaskClient, person: Person) -> bool:
    status = _logins(browser, person["id"]).status_code
    assert status in (200, 401), status
    return status == 200


@pytest.fixture
def agent(make_user: Callable[..., Person]) -> Person:
    return make_user("agent")


def test_a_copied_session_cookie_stops_working_after_sign_out(app: OpenAPI, agent: Person) -> None:
    """Signing out refuses the session cookie from then on, in any client that copied it."""
    browser = _signed_in(app, agent)
    thief = _copy(app, browser, "session")
    assert _works(thief, agent)

    _sign_out(browser)

    assert not _works(thief, agent)
    assert thief.get("/").status_code == 302  # pages too: sent to the sign-in page


def test_a_copied_remember_cookie_stops_working_after_sign_out(app: OpenAPI, agent: Person) -> None:
    """ "Keep me signed in": the long-lived cookie names the same login and ends with it."""
    browser = _signed_in(app, agent, remember="y")
    thief = _copy(app, browser, "remember_token")  # no session cookie: the browser restarted
    assert thief.get("/").status_code == 200

    _sign_out(browser)

    assert thief.get("/").status_code == 302
    assert _copy(app, thief, "remember_token").get("/").status_code == 302  # a fresh copy too


def test_signing_out_leaves_the_users_other_sign_ins(app: OpenAPI, agent: Person) -> None:
    """Two browsers and a token: signing out of one leaves the other two signed in."""
    first, second = _signed_in(app, agent), _signed_in(app, agent)
    assert len(_ids(app.test_client(), agent)) == 3  # both browsers and the test's token

    _sign_out(first)

    assert not _works(first, agent)
    assert _works(second, agent)
    assert len(_ids(app.test_client(), agent)) == 2


def test_the_list_says_which_login_asks_and_shows_no_secret(app: OpenAPI, agent: Person) -> None:
    """Each login: its id and kind, the browser or token name, the caller's marked current."""
    browser = _signed_in(app, agent)
    items = _logins(browser, agent["id"]).get_json()["items"]
    by_kind = {item["kind"]: item for item in items}
    assert set(by_kind) == {"session", "token"}
    assert by_kind["session"]["current"] and not by_kind["token"]["current"]
    assert by_kind["token"]["label"] == "tests"
    assert by_kind["session"]["id"].startswith("session:")
    assert by_kind["session"]["address"] == "127.0.0.1"
    mine = _logins(app.test_client(), agent["id"], agent["headers"]).get_json()["items"]
    assert [i["current"] for i in mine if i["kind"] == "token"] == [True]
    with app.extensions["contactcentre"].db.session() as session:
        secret_hash = session.query(WebLogin).one().secret_hash
    assert secret_hash not in str(items) and "secret" not in str(items)


def test_revoking_one_login_leaves_the_others(app: OpenAPI, agent: Person) -> None:
    """Ending one browser's login signs out that browser only; ending the token refuses it."""
    kept, ended = _signed_in(app, agent), _signed_in(app, agent)
    ended_id = next(
        i["id"] for i in _logins(ended, agent["id"]).get_json()["items"] if i["current"]
    )
    api = app.test_client()

    response = api.delete(
        f"/api/v1/users/{agent['id']}/logins/{ended_id}", headers=agent["headers"]
    )

    assert response.status_code == 204
    assert not _works(ended, agent)
    assert _works(kept, agent)
    token_id = next(i for i in _ids(api, agent) if i.startswith("token:"))
    # The browser ends the token with its own cookie (and the CSRF token a cookie caller sends).
    headers = {"X-CSRFToken": csrf_token(kept, "/")}
    assert (
        kept.delete(f"/api/v1/users/{agent['id']}/logins/{token_id}", headers=headers).status_code
        == 204
    )
    assert _logins(api, agent["id"], agent["headers"]).status_code == 401
    assert _works(kept, agent)


def test_ending_all_but_one_keeps_that_one(app: OpenAPI, agent: Person) -> None:
    """DELETE .../logins?keep=<id> ends every other login and lists what it ended."""
    first, second = _signed_in(app, agent), _signed_in(app, agent)
    token_id = next(i for i in _ids(app.test_client(), agent) if i.startswith("token:"))

    response = app.test_client().delete(
        f"/api/v1/users/{agent['id']}/logins?keep={token_id}", headers=agent["headers"]
    )

    assert response.status_code == 200
    assert len(response.get_json()["revoked"]) == 2
    assert not _works(first, agent) and not _works(second, agent)
    assert _ids(app.test_client(), agent) == [token_id]


@pytest.mark.parametrize("change", [{"role": "supervisor"}, {"active": False}, None])
def test_a_role_change_or_deactivation_ends_every_login(
    app: OpenAPI, agent: Person, admin: Person, change: dict[str, Any] | None
) -> None:
    """PATCH role, PATCH active false and DELETE each end the user's cookies and tokens."""
    browser = _signed_in(app, agent)
    api = app.test_client()
    path = f"/api/v1/users/{agent['id']}"
    if change is None:
        assert api.delete(path, headers=admin["headers"]).status_code == 204
    else:
        assert api.patch(path, json=change, headers=admin["headers"]).status_code == 200

    assert not _works(browser, agent)
    assert api.get(f"{path}/logins", headers=agent["headers"]).status_code == 401
    assert _logins(api, agent["id"], admin["headers"]).get_json()["items"] == []


def test_a_rename_ends_no_login(app: OpenAPI, agent: Person, admin: Person) -> None:
    """A change that grants nothing new or less (the name) leaves every login signed in."""
    browser = _signed_in(app, agent)
    path = f"/api/v1/users/{agent['id']}"
    assert (
        app.test_client()
        .patch(path, json={"name": "Renamed"}, headers=admin["headers"])
        .status_code
        == 200
    )
    assert _works(browser, agent)
    assert len(_ids(app.test_client(), agent)) == 2


def test_a_session_from_before_logins_were_recorded_is_refused(app: OpenAPI, agent: Person) -> None:
    """A cookie naming only the user's id (how sessions were signed before) signs in nobody."""
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = str(agent["id"])
    assert not _works(browser, agent)


def test_an_agent_sees_and_ends_only_their_own_logins(
    app: OpenAPI, agent: Person, make_user: Callable[..., Person]
) -> None:
    """Another user's logins: 403 naming user_id; theirs under one's own id: 404 naming login."""
    other = make_user("agent")
    api = app.test_client()
    refused = _logins(api, other["id"], agent["headers"])
    assert refused.status_code == 403
    assert refused.get_json()["error"]["field"] == "user_id"
    assert (
        api.delete(f"/api/v1/users/{other['id']}/logins", headers=agent["headers"]).status_code
        == 403
    )
    their_token = _ids(api, other)[0]

    response = api.delete(
        f"/api/v1/users/{agent['id']}/logins/{their_token}", headers=agent["headers"]
    )

    assert response.status_code == 404
    assert response.get_json()["error"]["field"] == "login"
    assert _ids(api, other) == [their_token]  # still live


@pytest.mark.parametrize(
    ("path", "field", "status"),
    [
        ("/api/v1/users/{me}/logins/bogus", "login", 422),
        ("/api/v1/users/{me}/logins/session:0", "login", 422),
        ("/api/v1/users/{me}/logins/token:99999999999999999999", "login", 422),
        ("/api/v1/users/{me}/logins/session:424242", "login", 404),
        ("/api/v1/users/{me}/logins?keep=everything", "keep", 422),
        ("/api/v1/users/9223372036854775808/logins", "user_id", 422),
        ("/api/v1/users/999999/logins", "user_id", 404),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(
    app: OpenAPI, admin: Person, path: str, field: str, status: int
) -> None:
    """Malformed or unknown login ids and user ids answer 4xx JSON naming the field."""
    response = app.test_client().delete(path.format(me=admin["id"]), headers=admin["headers"])
    assert response.status_code == status
    assert response.get_json()["error"]["field"] == field
    assert len(_ids(app.test_client(), admin)) == 1  # nothing ended
