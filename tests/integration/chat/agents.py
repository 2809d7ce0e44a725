"""The agent's side in chat tests, over the live server's HTTP API: signed in and available,
their desk, an offer accepted, and a visitor's chat accepted."""

from __future__ import annotations

from typing import Any

import requests

from tests.integration.realtime.live import eventually


def available(base: str, agent: dict[str, Any]) -> None:
    """Sign the agent in over HTTP and wait until routing has them available."""
    headers = agent["headers"]
    requests.post(
        f"{base}/api/v1/agents/{agent['agent_id']}/state",
        json={"state": "available"},
        headers=headers,
        timeout=5,
    )
    eventually(
        lambda: (
            requests.get(
                f"{base}/api/v1/agents/{agent['agent_id']}/state", headers=headers, timeout=5
            ).json()["state"]
            == "available"
        )
    )


def desk(base: str, agent: dict[str, Any]) -> dict[str, Any]:
    """The agent's desk as their console reads it: offers ringing, tasks in hand."""
    found: dict[str, Any] = requests.get(
        f"{base}/api/v1/agents/{agent['agent_id']}/desk", headers=agent["headers"], timeout=5
    ).json()
    return found


def accept_offer(
    base: str, agent: dict[str, Any], task_id: str | None = None, timeout: float = 8.0
) -> dict[str, Any]:
    """Wait for an offer on the agent's desk (of `task_id`, or any) and accept it; returns it."""
    offer: dict[str, Any] = eventually(
        lambda: next(
            (o for o in desk(base, agent)["offers"] if task_id in (None, o["task_id"])), None
        ),
        timeout,
    )
    accepted = requests.post(
        f"{base}/api/v1/reservations/{offer['reservation_id']}/accept",
        headers=agent["headers"],
        timeout=5,
    )
    assert accepted.status_code == 202, accepted.text
    return offer


def accepted_chat(live: Any, chat_floor: Any, make_site: Any, customers: Any) -> tuple[Any, str]:
    """A customer whose chat the floor's agent has accepted; returns (customer, interaction)."""
    site = make_site(queue_id=chat_floor["queue"]["id"])
    agent = chat_floor["agent"]
    available(live.url, agent)
    ann = customers()
    assert ann.start(site.widget_key).status_code == 201
    ann.connect()
    found = accept_offer(live.url, agent)
    eventually(lambda: any(s.get("status") == "active" for s in ann.of("status")))
    return ann, found["task_id"]
