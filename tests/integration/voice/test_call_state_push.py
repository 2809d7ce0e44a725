"""A call's state reaches its agent's console socket as numbered events, the moment it changes:
ringing, connected, on hold and off it, ended; through the emulator, Redis and a real socket."""

from __future__ import annotations

from typing import Any

from contactcentre.realtime.rooms import AGENT_NS, agent_room
from contactcentre.store.models import User
from tests.integration.realtime.live import Listener, browser, eventually
from tests.integration.voice.calls import answered_call, support_caller

PASSWORD = "correct horse battery"  # what the voice tests' people() sign up with


def _agent_socket(app: Any, agent: dict[str, Any]) -> Listener:
    """The agent's console socket on /agent, signed in with their session cookie."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        user = session.get(User, agent["id"])
        assert user is not None
        email = user.email
    base = runtime.settings.public_base_url
    listener = Listener()
    listener.connect(base, browser(base, email, PASSWORD), AGENT_NS)
    return listener


def _states(listener: Listener, interaction_id: str) -> list[dict[str, Any]]:
    return [
        e["data"]
        for e in listener.of("call_state")
        if e["data"]["interaction_id"] == interaction_id
    ]


def _latest(listener: Listener, interaction_id: str) -> dict[str, Any] | None:
    states = _states(listener, interaction_id)
    return max(states, key=lambda s: s["version"]) if states else None


def test_hold_unhold_and_hang_up_reach_the_agents_socket(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """Each change of the call (ringing, connected, held, unheld, ended) is pushed to the agent's
    room as a call_state event, numbered in that room, with a version that only rises."""
    agent = floor["agents"][0]
    socket = _agent_socket(voice_app, agent)
    try:
        _call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
        eventually(lambda: (s := _latest(socket, iid)) and s["status"] == "connected")
        assert "connecting" in [s["status"] for s in _states(socket, iid)]  # the agent's leg rang
        url, headers = f"/api/v1/calls/{iid}", agent["headers"]

        assert (
            voice_client.post(url + "/hold", json={"on": True}, headers=headers).status_code == 200
        )
        held = eventually(lambda: (s := _latest(socket, iid)) and s["on_hold"] and s)
        assert held["status"] == "connected"
        customer = next(p for p in held["participants"] if p["role"] == "customer")
        assert customer["on_hold"] is True

        assert (
            voice_client.post(url + "/hold", json={"on": False}, headers=headers).status_code == 200
        )
        eventually(
            lambda: (
                (s := _latest(socket, iid)) and s["version"] > held["version"] and not s["on_hold"]
            )
        )

        assert voice_client.post(url + "/hangup", json={}, headers=headers).status_code == 200
        ended = eventually(lambda: (s := _latest(socket, iid)) and s["status"] == "ended" and s)
        assert ended["participants"] == []

        pushed = [e for e in socket.of("call_state") if e["data"]["interaction_id"] == iid]
        assert {e["room"] for e in pushed} == {agent_room(agent["agent_id"])}
        seqs = [e["seq"] for e in pushed]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        assert len({e["data"]["id"] for e in pushed}) == len(pushed)  # one id per version
    finally:
        socket.close()


def test_the_call_api_gives_the_version_the_pushes_carry(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """GET /calls/{id} (what a console reads on load) carries the call's version, so a console
    can tell which of a fetched state and a pushed one is newer."""
    agent = floor["agents"][0]
    socket = _agent_socket(voice_app, agent)
    try:
        _call, iid = answered_call(voice_app, voice_client, emulator, floor, support_caller())
        url, headers = f"/api/v1/calls/{iid}", agent["headers"]
        voice_client.post(url + "/mute", json={"on": True}, headers=headers)
        pushed = eventually(lambda: (s := _latest(socket, iid)) and s["muted"] and s)
        fetched = voice_client.get(url, headers=headers).get_json()
        assert fetched["version"] >= pushed["version"] > 0
        assert fetched["muted"] is True and fetched["agent_id"] == agent["agent_id"]
    finally:
        socket.close()
