"""Chats as ACD tasks through the live router: the capacity model (three chats, no fourth, a
cross-channel rule), re-offer when an offer is not answered in time, and transfer to a queue.

Conversations are inserted directly (site, interaction submitted to the router, conversation
row), so these tests do not depend on the customer's pre-chat form."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from contactcentre.interactions.opening import open_interaction
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import ChatConversation, Interaction
from tests.integration.chat.agents import accept_offer, available, desk
from tests.integration.realtime.live import Listener, browser, eventually


def _chat(
    app: Any, site_id: int, queue_id: int, name: str = "Ann", interaction_id: str | None = None
) -> str:
    """A chat waiting for an agent (the customer never connects); returns its interaction id."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        attributes = {"intent": "general", "queue_id": str(queue_id)}
        now = datetime.now(UTC)
        interaction = open_interaction(
            session,
            channel="chat",
            interaction_id=interaction_id,
            attributes=attributes,
            actor="customer",
            at=now,
        ).interaction
        RoutingClient(runtime.redis).submit(session, interaction, attributes, priority=0, at=now)
        session.add(
            ChatConversation(
                id=str(uuid.uuid4()),
                site_id=site_id,
                interaction_id=interaction.id,
                visitor_id=f"v-{uuid.uuid4().hex[:8]}",
                visitor_name=name,
                status="queued",
                token_nonce=secrets.token_hex(16),
            )
        )
        session.commit()
        return interaction.id


def _offer_of(live: Any, agent: dict[str, Any], task_id: str) -> dict[str, Any] | None:
    return next((o for o in desk(live.url, agent)["offers"] if o["task_id"] == task_id), None)


def _accept(live: Any, agent: dict[str, Any], task_id: str) -> None:
    accept_offer(live.url, agent, task_id)
    eventually(lambda: RoutingClient(_redis(live)).assigned_agent(task_id))


def _redis(live: Any) -> Any:
    return live.app.extensions["contactcentre"].redis


def _routed(app: Any, task_id: str) -> str:
    """The interaction's status once the router has decided about it (queued or offered)."""

    def status() -> str | None:
        with app.extensions["contactcentre"].db.session() as session:
            interaction = session.get(Interaction, task_id)
            found = None if interaction is None else interaction.status
            return found if found in ("queued", "offered", "assigned") else None

    found: str = eventually(status)
    return found


def _close(live: Any, agent: dict[str, Any], task_id: str) -> None:
    closed = requests.post(
        f"{live.url}/api/v1/chats/{task_id}/close", headers=agent["headers"], timeout=5
    )
    assert closed.status_code == 200, closed.text


@pytest.mark.usefixtures("live_router")
def test_an_agent_holds_three_chats_at_once_but_not_a_fourth(
    app: Any, live: Any, chat_floor: Any, make_site: Any, make_user: Any
) -> None:
    """The default capacity profile admits three chats; the fourth waits (its room is told
    "queued", first in line) until one ends."""
    site = make_site(queue_id=chat_floor["queue"]["id"])
    agent = chat_floor["agent"]
    available(live.url, agent)
    chats = [_chat(app, site.id, chat_floor["queue"]["id"], f"Visitor {n}") for n in range(3)]
    for task_id in chats:
        _accept(live, agent, task_id)
    assert len(desk(live.url, agent)["tasks"]) == 3

    fourth = str(uuid.uuid4())
    boss = make_user("supervisor")
    watching = Listener()
    watching.connect(live.url, browser(live.url, boss["email"], boss["password"]), "/agent")
    try:
        joined = watching.client.call(
            "join", {"room": f"interaction:{fourth}"}, namespace="/agent", timeout=10
        )
        assert joined["ok"] is True
        _chat(app, site.id, chat_floor["queue"]["id"], "Visitor 4", interaction_id=fourth)
        assert _routed(app, fourth) == "queued"
        assert _offer_of(live, agent, fourth) is None
        status = eventually(lambda: watching.of("chat_status"))[0]["data"]
        assert (status["status"], status["position"]) == ("queued", 1)
    finally:
        watching.close()

    _close(live, agent, chats[0])  # the queue's wrap-up is 0 s: the capacity frees at once
    _accept(live, agent, fourth)


@pytest.mark.usefixtures("live_router")
def test_a_cross_channel_rule_keeps_calls_away_from_an_agent_with_two_chats(
    app: Any, live: Any, client: Any, chat_floor: Any, make_site: Any
) -> None:
    """With "no call while two chats are open" (and no shared budget), a call waits while the
    agent has two chats and is offered once one of them ends."""
    admin = chat_floor["admin"]["headers"]
    agent = chat_floor["agent"]
    capacity = {
        "total_units": None,
        "rules": [{"channel": "voice", "when_channel": "chat", "at_least": 2}],
    }
    changed = client.patch(
        f"/api/v1/agents/{agent['agent_id']}", json={"capacity": capacity}, headers=admin
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    site = make_site(queue_id=chat_floor["queue"]["id"])
    available(live.url, agent)
    chats = [_chat(app, site.id, chat_floor["queue"]["id"], f"Visitor {n}") for n in range(2)]
    for task_id in chats:
        _accept(live, agent, task_id)

    call = client.post(
        "/api/v1/tasks",
        json={"channel": "voice", "queue_id": chat_floor["queue"]["id"]},
        headers=admin,
    )
    assert call.status_code == 201, call.get_data(as_text=True)
    call_id = call.get_json()["task_id"]
    assert _routed(app, call_id) == "queued"
    assert _offer_of(live, agent, call_id) is None

    _close(live, agent, chats[0])
    eventually(lambda: _offer_of(live, agent, call_id))


@pytest.mark.usefixtures("live_router")
def test_a_chat_offer_not_answered_in_time_is_offered_again(
    live: Any, client: Any, chat_floor: Any, make_site: Any, make_user: Any
) -> None:
    """When the offer times out the reservation expires and the chat is offered again (a new
    reservation), still queued for the customer and with no "joined" notice."""
    admin = chat_floor["admin"]["headers"]
    queue_id = chat_floor["queue"]["id"]
    # The offer timeout is configuration: the queue gives an agent 5 s (the least) to answer.
    updated = client.patch(
        f"/api/v1/queues/{queue_id}", json={"offer_timeout_seconds": 5}, headers=admin
    )
    assert updated.status_code == 200, updated.get_data(as_text=True)
    other = make_user("agent", skills={"chat": 5})
    agents = [chat_floor["agent"], other]
    for agent in agents:
        available(live.url, agent)
    site = make_site(queue_id=queue_id)
    task_id = _chat(live.app, site.id, queue_id)

    def offers() -> list[dict[str, Any]]:
        return [o for a in agents if (o := _offer_of(live, a, task_id)) is not None]

    first = eventually(offers)[0]
    again = eventually(
        lambda: [o for o in offers() if o["reservation_id"] != first["reservation_id"]],
        timeout=20,
    )[0]
    assert again["task_id"] == task_id
    reservation = RoutingClient(_redis(live)).reservation(first["reservation_id"])
    assert reservation is not None and reservation.state == "expired"
    with live.app.extensions["contactcentre"].db.session() as session:
        conversation = session.query(ChatConversation).filter_by(interaction_id=task_id).one()
        assert conversation.status == "queued"
        assert conversation.last_seq == 0  # nobody joined, so no notice was posted


@pytest.mark.usefixtures("live_router")
def test_a_chat_transferred_to_a_queue_waits_again_and_the_next_agent_joins(
    app: Any, live: Any, chat_floor: Any, make_site: Any, make_user: Any
) -> None:
    """Transfer to a queue: the conversation waits again, the next agent joins with the whole
    conversation, and the first agent may no longer write in it."""
    first = chat_floor["agent"]
    site = make_site(queue_id=chat_floor["queue"]["id"])
    available(live.url, first)
    task_id = _chat(app, site.id, chat_floor["queue"]["id"])
    _accept(live, first, task_id)

    second = make_user("agent", skills={"chat": 5})
    available(live.url, second)  # idle longer than the first agent, so offered the chat next
    moved = requests.post(
        f"{live.url}/api/v1/tasks/{task_id}/transfer",
        json={"queue_id": chat_floor["queue"]["id"], "reason": "second opinion"},
        headers=first["headers"],
        timeout=5,
    )
    assert moved.status_code == 202, moved.text
    _accept(live, second, task_id)
    url = f"{live.url}/api/v1/chats/{task_id}"

    def joined_twice() -> dict[str, Any] | None:
        view = _view(url, second)
        joined = [m for m in view["messages"] if "joined the chat" in m["body"]]
        # The notice and the status come from different consumers of the router's effects:
        # either may land first.
        return view if len(joined) == 2 and view["status"] == "active" else None

    eventually(joined_twice)
    refused = requests.post(
        f"{url}/messages", json={"body": "still me"}, headers=first["headers"], timeout=5
    )
    assert refused.status_code == 403


def _view(url: str, agent: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = requests.get(url, headers=agent["headers"], timeout=5).json()
    return view
