"""A console open all shift follows only the contacts on its desk: each one wrapped up is left,
so a reconnect resumes the agent's room and the contacts in progress, never old ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from contactcentre.store.models import Queue
from tests.e2e.chat_console_fixtures import available_agent
from tests.e2e.console_helpers import PASSWORD, WAIT_MS, WAIT_S, agent_id_of
from tests.integration.realtime.live import browser, eventually

pytestmark = pytest.mark.e2e
ANA = "agent1@example.com"  # Ana García, billing 9: the billing queue's first choice
FINISHED = 3  # contacts handled and wrapped up before the drop


def _billing(app: Any) -> int:
    with app.extensions["contactcentre"].db.session() as session:
        queue_id: int = session.scalars(select(Queue.id).where(Queue.name == "Billing")).one()
        return queue_id


def _accepted(ana: Any, boss: Any, base: str, agent_id: int, queue_id: int) -> str:
    """An email contact for billing, offered to Ana and accepted by her."""
    body = {"channel": "email", "queue_id": queue_id, "attributes": {"intent": "billing"}}
    created = boss.post(f"{base}/api/v1/tasks", json=body)
    assert created.status_code == 201, created.text
    task_id = str(created.json()["task_id"])
    offer = eventually(
        lambda: [
            o
            for o in ana.get(f"{base}/api/v1/agents/{agent_id}/desk").json()["offers"]
            if o["task_id"] == task_id
        ],
        timeout=WAIT_S,
    )[0]
    accepted = ana.post(f"{base}/api/v1/reservations/{offer['reservation_id']}/accept")
    assert accepted.status_code == 202, accepted.text
    return task_id


def _status(ana: Any, base: str, agent_id: int, task_id: str) -> str | None:
    tasks = ana.get(f"{base}/api/v1/agents/{agent_id}/desk").json()["tasks"]
    return next((t.get("status") for t in tasks if t["task_id"] == task_id), None)


def _followed(page: Any) -> list[str]:
    rooms: list[str] = page.evaluate("Object.keys(window.consoleSocket.last)")
    return sorted(rooms)


def test_a_reconnect_resumes_the_desk_not_the_contacts_already_wrapped_up(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """After three contacts wrapped up and one in progress, the console follows the agent's
    room and that one only; after the socket drops, its resume asks for exactly those, and the
    contact in progress still reaches the page (its end shows the wrap-up)."""
    base = demo_floor.url
    agent_id = agent_id_of(demo_app, ANA)
    page = available_agent(chromium, base, ANA)
    resumes: list[dict[str, Any]] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: _resume(frame, resumes)))
    ana, boss = browser(base, ANA, PASSWORD), browser(base, "supervisor@example.com", PASSWORD)
    queue_id = _billing(demo_app)
    room = f"agent:{agent_id}"

    for _ in range(FINISHED):
        task_id = _accepted(ana, boss, base, agent_id, queue_id)
        eventually(lambda t=task_id: f"interaction:{t}" in _followed(page), timeout=WAIT_S)
        assert ana.post(f"{base}/api/v1/tasks/{task_id}/complete").status_code == 202
        eventually(lambda t=task_id: _status(ana, base, agent_id, t) != "active", timeout=WAIT_S)
        wrapped = ana.post(
            f"{base}/api/v1/interactions/{task_id}/wrap-up", json={"disposition_code": "resolved"}
        )
        assert wrapped.status_code == 200, wrapped.text
        eventually(lambda t=task_id: f"interaction:{t}" not in _followed(page), timeout=WAIT_S)
    current = _accepted(ana, boss, base, agent_id, queue_id)
    eventually(lambda: f"interaction:{current}" in _followed(page), timeout=WAIT_S)

    assert _followed(page) == sorted([room, f"interaction:{current}"])

    resumes.clear()
    page.evaluate("window.consoleSocket.socket.io.engine.close()")  # the network drops
    # Playwright hands over frames only while the test calls it: wait through the page.
    eventually(lambda: page.wait_for_timeout(50) or resumes, timeout=WAIT_S)
    assert sorted(resumes[-1]["last_seq"]) == sorted([room, f"interaction:{current}"])
    page.locator("#connection", has_text="Live").wait_for()
    assert ana.post(f"{base}/api/v1/tasks/{current}/complete").status_code == 202
    expect(page.locator("#work-items")).to_contain_text("wrap-up", timeout=WAIT_MS)


def _resume(frame: Any, resumes: list[dict[str, Any]]) -> None:
    """Socket.IO event frames are '42/agent,<id>["resume",{...}]' (namespace, ack id, JSON)."""
    text = frame if isinstance(frame, str) else ""
    if not text.startswith("42/agent,") or '"resume"' not in text:
        return
    payload = json.loads(text[text.index("[") :])
    if payload and payload[0] == "resume":
        resumes.append(payload[1])
