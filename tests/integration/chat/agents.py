"""The agent's side in chat tests, over the live server's HTTP API: signed in and available,
and a visitor's chat accepted."""

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


def accepted_chat(live: Any, chat_floor: Any, make_site: Any, customers: Any) -> tuple[Any, str]:
    """A customer whose chat the floor's agent has accepted; returns (customer, interaction)."""
    site = make_site(queue_id=chat_floor["queue"]["id"])
    agent = chat_floor["agent"]
    available(live.url, agent)
    ann = customers()
    assert ann.start(site.widget_key).status_code == 201
    ann.connect()

    def offer() -> list[dict[str, Any]]:
        desk = requests.get(
            f"{live.url}/api/v1/agents/{agent['agent_id']}/desk",
            headers=agent["headers"],
            timeout=5,
        ).json()
        return desk["offers"]

    found = eventually(offer)[0]
    requests.post(
        f"{live.url}/api/v1/reservations/{found['reservation_id']}/accept",
        headers=agent["headers"],
        timeout=5,
    )
    eventually(lambda: any(s.get("status") == "active" for s in ann.of("status")))
    return ann, found["task_id"]
