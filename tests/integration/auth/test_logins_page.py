"""The sign-ins page (agent_ui.accounts): each user's own sign-ins, ended one at a time, all but
this browser, or all; admins see the users and anyone's sign-ins, agents only their own."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI

from tests.integration.signin import csrf_token, login

Person = dict[str, Any]


def _browser(app: OpenAPI, person: Person) -> FlaskClient:
    browser = app.test_client()
    assert login(browser, person["email"], person["password"]).status_code == 302
    return browser


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-login="([^"]+)"', page)


def _end(browser: FlaskClient, user_id: int, what: str) -> Any:
    token = csrf_token(browser, "/account/logins")
    return browser.post(
        f"/users/{user_id}/logins/revoke", data={"login": what, "csrf_token": token}
    )


def _signed_in(browser: FlaskClient) -> bool:
    return browser.get("/").status_code == 200


def test_the_page_lists_this_browser_the_other_and_the_token(
    app: OpenAPI, make_user: Callable[..., Person]
) -> None:
    """Three sign-ins, this browser marked, times and the browser named, no secret shown."""
    agent = make_user("agent")
    here = _browser(app, agent)
    _browser(app, agent)

    page = here.get("/account/logins").get_data(as_text=True)

    assert len(_rows(page)) == 3
    assert page.count('class="badge">this browser') == 1
    assert "Sign out everywhere else" in page
    assert "tests" in page  # the token's name


def test_ending_another_browser_signs_it_out_and_keeps_this_one(
    app: OpenAPI, make_user: Callable[..., Person]
) -> None:
    """The other browser's End button signs it out; this browser stays on its page."""
    agent = make_user("agent")
    here, there = _browser(app, agent), _browser(app, agent)
    page = here.get("/account/logins").get_data(as_text=True)
    this = re.search(
        r'<tr data-login="([^"]+)">\s*<td><strong>[^<]*</strong> <span class="badge">this browser',
        page,
    )
    assert this is not None
    other = next(r for r in _rows(page) if r.startswith("session:") and r != this.group(1))

    response = _end(here, agent["id"], other)

    assert response.status_code == 302 and response.location.endswith("/account/logins")
    assert "Ended 1 sign-in." in here.get("/account/logins").get_data(as_text=True)
    assert not _signed_in(there)
    assert _signed_in(here)


def test_everywhere_else_keeps_only_this_browser(
    app: OpenAPI, make_user: Callable[..., Person]
) -> None:
    """ "Sign out everywhere else" ends the other browser and the token, not this browser."""
    agent = make_user("agent")
    here, there = _browser(app, agent), _browser(app, agent)

    _end(here, agent["id"], "others")

    assert _signed_in(here) and not _signed_in(there)
    assert app.test_client().get("/api/v1/skills", headers=agent["headers"]).status_code == 401
    assert len(_rows(here.get("/account/logins").get_data(as_text=True))) == 1


def test_ending_this_browsers_own_sign_in_signs_it_out(
    app: OpenAPI, make_user: Callable[..., Person]
) -> None:
    """ "Sign out everywhere, here too" sends this browser to the sign-in page."""
    agent = make_user("agent")
    here = _browser(app, agent)

    response = _end(here, agent["id"], "all")

    assert response.status_code == 302 and "/login" in response.location
    assert not _signed_in(here)


def test_a_value_that_names_no_sign_in_is_refused_on_the_page(
    app: OpenAPI, make_user: Callable[..., Person]
) -> None:
    """A forged form value answers 400 with the page and its error, ending nothing."""
    agent = make_user("agent")
    here = _browser(app, agent)

    response = _end(here, agent["id"], "session:abc")

    assert response.status_code == 400
    assert "Choose a sign-in to end from the list." in response.get_data(as_text=True)
    assert len(_rows(here.get("/account/logins").get_data(as_text=True))) == 2


def test_admins_see_every_user_and_end_their_sign_ins(
    app: OpenAPI, make_user: Callable[..., Person]
) -> None:
    """The users page counts sign-ins and links each user's; an admin ends all of an agent's."""
    admin, agent = make_user("admin"), make_user("agent")
    desk, console = _browser(app, admin), _browser(app, agent)

    users = desk.get("/users").get_data(as_text=True)
    assert f'href="/users/{agent["id"]}/logins">2 sign-ins' in users
    assert len(_rows(desk.get(f"/users/{agent['id']}/logins").get_data(as_text=True))) == 2

    response = _end(desk, agent["id"], "all")

    assert response.status_code == 302
    assert response.location.endswith(f"/users/{agent['id']}/logins")
    assert not _signed_in(console) and _signed_in(desk)


def test_agents_may_not_open_another_users_sign_ins(
    app: OpenAPI, make_user: Callable[..., Person]
) -> None:
    """The users page and a colleague's sign-ins answer 403 to an agent, and ending fails."""
    agent, colleague = make_user("agent"), make_user("agent")
    here, there = _browser(app, agent), _browser(app, colleague)
    assert here.get("/users").status_code == 403
    assert here.get(f"/users/{colleague['id']}/logins").status_code == 403
    assert _end(here, colleague["id"], "all").status_code == 403
    assert _signed_in(there)
