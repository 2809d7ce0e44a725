"""Heartbeats and the grace period: a console gone too long puts its agent offline."""

from __future__ import annotations

from typing import Any

from contactcentre.realtime.rooms import AGENT_NS
from tests.integration.realtime.live import Listener, browser, eventually


def _state(http: Any, base: str, agent_id: int) -> str:
    return str(http.get(f"{base}/api/v1/agents/{agent_id}/state").json()["state"])


def _offer_agent(http: Any, base: str, agent_id: int) -> bool:
    return bool(http.get(f"{base}/api/v1/agents/{agent_id}/desk").json()["offers"])


def test_disconnected_agent_goes_offline_and_the_offer_moves_on(
    live_app: Any, live_router: Any, floor: Any
) -> None:
    """After the grace period without a socket, the agent is offline and the novice is offered."""
    base = live_app.url
    expert = browser(base, floor["expert"]["email"], floor["expert"]["password"])
    novice = browser(base, floor["novice"]["email"], floor["novice"]["password"])
    expert_id, novice_id = floor["expert"]["agent_id"], floor["novice"]["agent_id"]
    listener, novice_socket = Listener(reconnection=False), Listener()
    listener.connect(base, expert, AGENT_NS)
    novice_socket.connect(base, novice, AGENT_NS)
    for http, agent_id in ((expert, expert_id), (novice, novice_id)):
        http.post(f"{base}/api/v1/agents/{agent_id}/state", json={"state": "available"})
        eventually(lambda h=http, a=agent_id: _state(h, base, a) == "available")
    boss = browser(base, floor["admin"]["email"], floor["admin"]["password"])
    boss.post(f"{base}/api/v1/tasks", json={"channel": "voice", "queue_id": floor["queue"]["id"]})
    eventually(lambda: _offer_agent(expert, base, expert_id))
    listener.close()  # the laptop sleeps

    eventually(lambda: _state(expert, base, expert_id) == "offline")
    eventually(lambda: novice_socket.of("offer_created"))
    assert not _offer_agent(expert, base, expert_id)
    novice_socket.close()


def test_connected_agent_stays_signed_in_past_the_grace_period(
    live_app: Any, live_router: Any, floor: Any
) -> None:
    """Heartbeats keep a connected console's agent available however long it stays idle."""
    import time

    base = live_app.url
    expert = browser(base, floor["expert"]["email"], floor["expert"]["password"])
    agent_id = floor["expert"]["agent_id"]
    listener = Listener()
    listener.connect(base, expert, AGENT_NS)
    expert.post(f"{base}/api/v1/agents/{agent_id}/state", json={"state": "available"})
    eventually(lambda: _state(expert, base, agent_id) == "available")
    time.sleep(2 * 2.5)  # two grace periods, with the sweeper running every 0.2 s
    assert _state(expert, base, agent_id) == "available"
    listener.close()


def test_reconnecting_within_the_grace_period_keeps_the_agent_signed_in(
    live_app: Any, live_router: Any, floor: Any
) -> None:
    """A network blip shorter than the grace period changes nothing."""
    import time

    base = live_app.url
    expert = browser(base, floor["expert"]["email"], floor["expert"]["password"])
    agent_id = floor["expert"]["agent_id"]
    first = Listener(reconnection=False)
    first.connect(base, expert, AGENT_NS)
    expert.post(f"{base}/api/v1/agents/{agent_id}/state", json={"state": "available"})
    eventually(lambda: _state(expert, base, agent_id) == "available")
    first.close()
    second = Listener()
    second.connect(base, expert, AGENT_NS)
    time.sleep(2 * 2.5)  # two grace periods
    assert _state(expert, base, agent_id) == "available"
    second.close()
