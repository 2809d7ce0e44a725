"""A reconnecting console's resume: every room the agent holds comes back, however many, and of
the rest the newest, up to the cap; what is left out is named so the client can forget it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contactcentre.realtime.namespaces import MAX_RESUME_ROOMS
from contactcentre.realtime.rooms import AGENT_NS, agent_room, interaction_room
from contactcentre.router.client import RoutingClient
from tests.builders import billing_queue
from tests.integration.realtime.live import Listener, browser, eventually

HELD = MAX_RESUME_ROOMS + 5  # more contacts than the cap: none may be lost
EMAILS = {"units": {"email": 1}, "limits": {"email": HELD + 5}, "total_units": None}


def _holding(app: Any, live_app: Any, agent: dict[str, Any], admin: dict[str, Any]) -> Any:
    """The agent, with room for HELD emails, holds HELD accepted email contacts."""
    base, runtime = live_app.url, app.extensions["contactcentre"]
    with runtime.db.session() as session:
        queue_id = billing_queue(session).id
    response = app.test_client().patch(
        f"/api/v1/agents/{agent['agent_id']}", json={"capacity": EMAILS}, headers=admin["headers"]
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    with runtime.db.session() as session:
        RoutingClient(runtime.redis).config_changed(session)
    http = browser(base, agent["email"], agent["password"])
    desk = f"{base}/api/v1/agents/{agent['agent_id']}/desk"
    assert http.post(f"{desk[:-5]}/state", json={"state": "available"}).status_code == 202
    for _ in range(HELD):
        body = {"channel": "email", "queue_id": queue_id, "attributes": {"intent": "billing"}}
        created = http.post(f"{base}/api/v1/tasks", json=body, headers=admin["headers"])
        assert created.status_code == 201, created.text

    def accept_all() -> bool:
        state = http.get(desk).json()
        for offer in state["offers"]:
            http.post(f"{base}/api/v1/reservations/{offer['reservation_id']}/accept")
        return len(state["tasks"]) == HELD

    eventually(accept_all, timeout=60)
    return http


def test_an_agent_holding_more_contacts_than_the_cap_resumes_every_one(
    app: Any,
    live_app: Any,
    live_router: Any,
    make_user: Callable[..., dict[str, Any]],
    admin: dict[str, Any],
) -> None:
    """A console that followed old rooms first (never forgotten) and then its agent's room and
    HELD contacts: every held room is joined again and replayed, the old ones come after."""
    agent = make_user("agent", skills={"billing": 5})
    http = _holding(app, live_app, agent, admin)
    tasks = http.get(f"{live_app.url}/api/v1/agents/{agent['agent_id']}/desk").json()["tasks"]
    held = [agent_room(agent["agent_id"])] + [interaction_room(t["task_id"]) for t in tasks]
    old = [interaction_room(f"finished-{n}") for n in range(MAX_RESUME_ROOMS)]
    listener = Listener(reconnection=False)
    listener.connect(live_app.url, http, AGENT_NS)

    reply = listener.client.call(
        "resume", {"last_seq": dict.fromkeys(old + held, 0)}, namespace=AGENT_NS, timeout=30
    )

    assert sorted(reply["rooms"]) == sorted(held)
    for room in held[1:]:
        assert "task_assigned" in [e["event"] for e in reply["rooms"][room]["events"]], room
    # Not this agent's (nor anyone's): refused, each named, none silently left out.
    assert sorted(reply["refused"]) == sorted(old)
    assert reply["dropped"] == []
    listener.close()


def test_beyond_the_cap_the_newest_rooms_are_resumed_and_the_oldest_named(
    live_app: Any, make_user: Callable[..., dict[str, Any]]
) -> None:
    """A supervisor following more rooms than the cap, none of them held: the last sent (the
    newest joined) come back; the oldest are listed as dropped."""
    supervisor = make_user("supervisor", agent=True)
    http = browser(live_app.url, supervisor["email"], supervisor["password"])
    rooms = [interaction_room(f"watched-{n}") for n in range(MAX_RESUME_ROOMS + 3)]
    listener = Listener(reconnection=False)
    listener.connect(live_app.url, http, AGENT_NS)

    reply = listener.client.call(
        "resume", {"last_seq": dict.fromkeys(rooms, 0)}, namespace=AGENT_NS, timeout=30
    )

    newest = rooms[3:]
    assert sorted(reply["rooms"]) == sorted(newest)
    assert reply["dropped"] == rooms[:3]
    listener.close()
