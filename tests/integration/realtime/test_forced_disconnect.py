"""Sign-out, deactivation and a role change close the user's sockets on every web process;
ending one login closes that login's sockets only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
import socketio

from contactcentre.realtime.rooms import AGENT_NS, SUPERVISOR_NS
from tests.integration.realtime.live import Listener, browser, eventually


class Consoles:
    """One user's sockets: /agent on the first web process, /supervisor on the second."""

    def __init__(self, first: Any, second: Any, http: Any) -> None:
        self.agent, self.board = Listener(reconnection=False), Listener(reconnection=False)
        self.agent.connect(first.url, http, AGENT_NS)
        self.board.connect(second.url, http, SUPERVISOR_NS)

    def open(self) -> list[bool]:
        return [
            AGENT_NS in self.agent.client.namespaces,
            SUPERVISOR_NS in self.board.client.namespaces,
        ]

    def close(self) -> None:
        self.agent.close()
        self.board.close()


@pytest.fixture
def supervisor(make_user: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A supervisor who also takes contacts (an agent profile), so both namespaces admit them."""
    return make_user("supervisor", agent=True)


def _refused(url: str, http: Any, namespace: str) -> bool:
    listener = Listener(reconnection=False)
    try:
        listener.connect(url, http, namespace)
    except socketio.exceptions.ConnectionError:
        return True
    finally:
        listener.client.disconnect()
    return False


def test_sign_out_closes_the_sessions_sockets_on_every_web_process(
    live_app: Any, second_web_process: Any, supervisor: dict[str, Any]
) -> None:
    """Signing out on one web process disconnects the user's sockets on both."""
    http = browser(live_app.url, supervisor["email"], supervisor["password"])
    consoles = Consoles(live_app, second_web_process, http)
    assert consoles.open() == [True, True]

    assert http.post(f"{live_app.url}/logout", allow_redirects=False).status_code == 302

    eventually(lambda: consoles.open() == [False, False])
    assert _refused(second_web_process.url, http, SUPERVISOR_NS)  # the cookie is signed out
    consoles.close()


@pytest.mark.parametrize("how", ["DELETE", "PATCH"])
def test_deactivation_closes_the_users_sockets_on_every_web_process(
    live_app: Any,
    second_web_process: Any,
    supervisor: dict[str, Any],
    admin: dict[str, Any],
    how: str,
) -> None:
    """Deactivating a user (DELETE, or PATCH active false) disconnects their sockets
    everywhere, and they cannot reconnect."""
    http = browser(live_app.url, supervisor["email"], supervisor["password"])
    consoles = Consoles(live_app, second_web_process, http)
    assert consoles.open() == [True, True]

    response = http.request(
        how,
        f"{second_web_process.url}/api/v1/users/{supervisor['id']}",
        json={"active": False} if how == "PATCH" else None,
        headers=admin["headers"],
    )
    assert response.status_code in (200, 204)

    eventually(lambda: consoles.open() == [False, False])
    assert _refused(live_app.url, http, AGENT_NS)
    consoles.close()


def test_demotion_closes_the_users_sockets_and_the_board_refuses_them(
    live_app: Any, second_web_process: Any, supervisor: dict[str, Any], admin: dict[str, Any]
) -> None:
    """A supervisor made an agent is disconnected everywhere and signed out (their cookie is
    refused); signed in again, they get only /agent."""
    http = browser(live_app.url, supervisor["email"], supervisor["password"])
    consoles = Consoles(live_app, second_web_process, http)

    response = http.patch(
        f"{live_app.url}/api/v1/users/{supervisor['id']}",
        json={"role": "agent"},
        headers=admin["headers"],
    )
    assert response.status_code == 200

    eventually(lambda: consoles.open() == [False, False])
    assert _refused(live_app.url, http, AGENT_NS)  # the sign-in ended with the old role
    again = browser(live_app.url, supervisor["email"], supervisor["password"])
    assert _refused(second_web_process.url, again, SUPERVISOR_NS)
    assert not _refused(live_app.url, again, AGENT_NS)
    consoles.close()


def test_an_unrelated_change_leaves_the_sockets_open(
    live_app: Any,
    second_web_process: Any,
    supervisor: dict[str, Any],
    admin: dict[str, Any],
    make_user: Callable[..., dict[str, Any]],
) -> None:
    """Renaming a user (same role, still active) does not disconnect them."""
    http = browser(live_app.url, supervisor["email"], supervisor["password"])
    consoles = Consoles(live_app, second_web_process, http)
    other = make_user("supervisor", agent=True)
    other_http = browser(live_app.url, other["email"], other["password"])
    sentinel = Consoles(live_app, second_web_process, other_http)

    response = http.patch(
        f"{live_app.url}/api/v1/users/{supervisor['id']}",
        json={"name": "Renamed", "role": "supervisor"},
        headers=admin["headers"],
    )
    assert response.status_code == 200
    # Disconnects reach the other process in the order they were published: once the sentinel's
    # sign-out (published after the rename) has closed its sockets, any for the rename has too.
    other_http.post(f"{live_app.url}/logout")
    eventually(lambda: sentinel.open() == [False, False])
    assert consoles.open() == [True, True]
    consoles.close()
    sentinel.close()


def test_ending_one_login_closes_its_sockets_only(
    live_app: Any, second_web_process: Any, supervisor: dict[str, Any]
) -> None:
    """Two browsers of one user: ending one's login (DELETE .../logins/<id>) closes that
    browser's sockets on both processes and refuses its cookie; the other browser's stay."""
    ended_http = browser(live_app.url, supervisor["email"], supervisor["password"])
    kept_http = browser(live_app.url, supervisor["email"], supervisor["password"])
    ended, kept = (
        Consoles(live_app, second_web_process, ended_http),
        Consoles(live_app, second_web_process, kept_http),
    )
    logins = ended_http.get(f"{live_app.url}/api/v1/users/{supervisor['id']}/logins").json()
    login = next(item for item in logins["items"] if item["current"])
    eventually(lambda: login["sockets"] == 2 or _sockets_of(live_app, supervisor, login["id"]))

    response = kept_http.delete(
        f"{second_web_process.url}/api/v1/users/{supervisor['id']}/logins/{login['id']}"
    )

    assert response.status_code == 204
    eventually(lambda: ended.open() == [False, False])
    assert _refused(second_web_process.url, ended_http, SUPERVISOR_NS)
    # Closes reach each process in the order they were published: a sign-out published after
    # the revocation has gone through once its own sockets close.
    sentinel_http = browser(live_app.url, supervisor["email"], supervisor["password"])
    sentinel = Consoles(live_app, second_web_process, sentinel_http)
    sentinel_http.post(f"{live_app.url}/logout")
    eventually(lambda: sentinel.open() == [False, False])
    assert kept.open() == [True, True]
    assert not _refused(live_app.url, kept_http, AGENT_NS)
    for consoles in (ended, kept, sentinel):
        consoles.close()


def _sockets_of(server: Any, person: dict[str, Any], login: str) -> bool:
    """The login's two sockets are in the record (both processes vouched for them)."""
    items = requests.get(
        f"{server.url}/api/v1/users/{person['id']}/logins", headers=person["headers"], timeout=5
    ).json()["items"]
    return any(item["id"] == login and item["sockets"] == 2 for item in items)
