"""Socket.IO boundaries over real sockets: anonymous refused, agents confined to their rooms."""

from __future__ import annotations

from typing import Any

import pytest
import socketio

from contactcentre.realtime.rooms import AGENT_NS, SUPERVISOR_NS, agent_room, interaction_room
from tests.integration.realtime.live import Listener, browser


def test_anonymous_socket_is_refused(live_app: Any) -> None:
    """A socket without a signed-in session cannot connect to /agent or /supervisor."""
    for namespace in (AGENT_NS, SUPERVISOR_NS):
        listener = Listener(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            listener.connect(live_app.url, None, namespace)
        listener.client.disconnect()


def test_agent_cannot_open_the_supervisor_namespace(live_app: Any, floor: Any) -> None:
    """The supervisor board's namespace refuses agents."""
    expert = browser(live_app.url, floor["expert"]["email"], floor["expert"]["password"])
    listener = Listener(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        listener.connect(live_app.url, expert, SUPERVISOR_NS)
    listener.client.disconnect()


def test_agent_cannot_join_another_agents_room(live_app: Any, floor: Any) -> None:
    """Joining or resuming a colleague's room is refused; one's own room is allowed."""
    expert = browser(live_app.url, floor["expert"]["email"], floor["expert"]["password"])
    listener = Listener()
    listener.connect(live_app.url, expert, AGENT_NS)
    other = agent_room(floor["novice"]["agent_id"])
    own = agent_room(floor["expert"]["agent_id"])
    call = listener.client.call
    assert call("join", {"room": other}, namespace=AGENT_NS, timeout=5)["ok"] is False
    assert call("join", {"room": "supervisors"}, namespace=AGENT_NS, timeout=5)["ok"] is False
    assert call("join", {"room": own}, namespace=AGENT_NS, timeout=5)["ok"] is True
    reply = call("resume", {"last_seq": {other: 0}}, namespace=AGENT_NS, timeout=5)
    assert reply["refused"] == [other]
    assert reply["rooms"] == {}
    listener.close()


def test_agent_cannot_join_an_interaction_not_theirs(live_app: Any, floor: Any) -> None:
    """An interaction room is open to its agent and supervisors only."""
    expert = browser(live_app.url, floor["expert"]["email"], floor["expert"]["password"])
    boss = browser(live_app.url, floor["admin"]["email"], floor["admin"]["password"])
    task = boss.post(
        f"{live_app.url}/api/v1/tasks", json={"channel": "voice", "queue_id": floor["queue"]["id"]}
    ).json()
    room = interaction_room(task["task_id"])
    agent_socket, boss_socket = Listener(), Listener()
    agent_socket.connect(live_app.url, expert, AGENT_NS)
    boss_socket.connect(live_app.url, boss, AGENT_NS)
    join = {"room": room}
    assert agent_socket.client.call("join", join, namespace=AGENT_NS, timeout=5)["ok"] is False
    assert boss_socket.client.call("join", join, namespace=AGENT_NS, timeout=5)["ok"] is True
    agent_socket.close()
    boss_socket.close()
