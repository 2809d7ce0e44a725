"""Consoles' sockets opened with a bearer token (auth {token}) instead of a session cookie."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import socketio

from contactcentre.realtime.emitter import emitter_for
from contactcentre.realtime.rooms import AGENT_NS, SUPERVISOR_NS, SUPERVISORS, agent_room
from tests.integration.realtime.live import Listener, browser, eventually


def _token(base_url: str, user: dict[str, Any]) -> str:
    response = requests.post(
        f"{base_url}/api/v1/auth/token",
        json={"email": user["email"], "password": user["password"]},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def _connect(base_url: str, namespace: str, auth: Any) -> Listener:
    listener = Listener(reconnection=False)
    listener.client.connect(
        base_url, namespaces=[namespace], transports=["websocket"], auth=auth, wait_timeout=5
    )
    return listener


def _refused(base_url: str, namespace: str, auth: Any, headers: Any = None) -> str:
    """The server's reason for refusing (the test fails if the connection is accepted)."""
    listener = Listener(reconnection=False)
    reasons: list[str] = []
    listener.client.on("connect_error", lambda data: reasons.append(str(data)), namespace=namespace)
    with pytest.raises(socketio.exceptions.ConnectionError):
        listener.client.connect(
            base_url,
            headers=headers or {},
            namespaces=[namespace],
            transports=["websocket"],
            auth=auth,
            wait_timeout=5,
        )
    listener.client.disconnect()
    return " ".join(reasons)


def test_a_token_socket_joins_its_agent_room(live_app: Any, floor: Any, app: Any) -> None:
    """Connecting with an agent's token puts the socket in that agent's room, with no cookie."""
    expert = floor["expert"]
    listener = _connect(live_app.url, AGENT_NS, {"token": _token(live_app.url, expert)})
    room = agent_room(expert["agent_id"])

    emitter_for(app.extensions["contactcentre"]).emit(room, "probe", {"n": 1})

    assert eventually(lambda: listener.of("probe"))[0]["room"] == room
    call = listener.client.call
    other = agent_room(floor["novice"]["agent_id"])
    assert call("join", {"room": room}, namespace=AGENT_NS, timeout=5)["ok"] is True
    assert call("join", {"room": other}, namespace=AGENT_NS, timeout=5)["ok"] is False
    listener.close()


def test_a_supervisors_token_opens_the_board_and_an_agents_does_not(
    live_app: Any, floor: Any, make_user: Any
) -> None:
    """/supervisor admits a supervisor's token and refuses an agent's, as with cookies."""
    boss = make_user("supervisor")
    board = _connect(live_app.url, SUPERVISOR_NS, {"token": _token(live_app.url, boss)})
    assert board.client.call("join", {"room": SUPERVISORS}, namespace=SUPERVISOR_NS, timeout=5)[
        "ok"
    ]
    board.close()
    agent_token = _token(live_app.url, floor["expert"])
    assert "forbidden" in _refused(live_app.url, SUPERVISOR_NS, {"token": agent_token})


@pytest.mark.parametrize("token", ["cc_not-a-token", "", 42, "x" * 5000])
def test_a_bad_token_is_refused(live_app: Any, token: Any) -> None:
    """An unknown, empty, non-text or absurdly long token is refused on both namespaces."""
    for namespace in (AGENT_NS, SUPERVISOR_NS):
        assert "invalid_token" in _refused(live_app.url, namespace, {"token": token})


def test_a_bad_token_is_refused_even_beside_a_good_session(live_app: Any, floor: Any) -> None:
    """A token, when sent, decides alone: a signed-in cookie does not rescue a bad one."""
    http = browser(live_app.url, floor["expert"]["email"], floor["expert"]["password"])
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    bad = {"token": "cc_not-a-token"}
    assert "invalid_token" in _refused(live_app.url, AGENT_NS, bad, {"Cookie": cookie})


def test_a_deactivated_users_token_is_refused(live_app: Any, floor: Any) -> None:
    """Deactivating the user makes their token useless for sockets too."""
    expert = floor["expert"]
    token = _token(live_app.url, expert)
    requests.delete(
        f"{live_app.url}/api/v1/users/{expert['id']}",
        headers=floor["admin"]["headers"],
        timeout=5,
    )
    assert "invalid_token" in _refused(live_app.url, AGENT_NS, {"token": token})


def test_revoking_the_token_closes_its_sockets_on_every_web_process_and_only_those(
    live_app: Any, second_web_process: Any, floor: Any
) -> None:
    """DELETE /api/v1/auth/token disconnects the token's sockets everywhere; the same user's
    session socket stays, as a sign-out in the browser leaves the token's sockets."""
    expert = floor["expert"]
    token = _token(live_app.url, expert)
    here = _connect(live_app.url, AGENT_NS, {"token": token})
    there = _connect(second_web_process.url, AGENT_NS, {"token": token})
    http = browser(live_app.url, expert["email"], expert["password"])
    console = Listener(reconnection=False)
    console.connect(second_web_process.url, http, AGENT_NS)

    http.post(f"{live_app.url}/logout")
    eventually(lambda: AGENT_NS not in console.client.namespaces)
    assert AGENT_NS in here.client.namespaces and AGENT_NS in there.client.namespaces

    revoked = requests.delete(
        f"{live_app.url}/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert revoked.status_code == 204
    eventually(lambda: AGENT_NS not in here.client.namespaces)
    eventually(lambda: AGENT_NS not in there.client.namespaces)
    assert "invalid_token" in _refused(live_app.url, AGENT_NS, {"token": token})
    for listener in (here, there, console):
        listener.close()
