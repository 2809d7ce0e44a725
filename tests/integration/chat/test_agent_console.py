"""The agent's console socket (/agent) in a chat: the interaction room is the chat's agent's
only, typing reaches the customer, and a customer who leaves ends the interaction."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from contactcentre.store.models import Interaction, InteractionEvent
from tests.integration.chat.agents import accepted_chat
from tests.integration.realtime.live import Listener, browser, eventually

pytestmark = pytest.mark.usefixtures("validated_responses")


def _console(live: Any, user: dict[str, Any]) -> Listener:
    console = Listener()
    console.connect(live.url, browser(live.url, user["email"], user["password"]), "/agent")
    return console


def _call(console: Listener, event: str, data: dict[str, Any]) -> Any:
    return console.client.call(event, data, namespace="/agent", timeout=10)


@pytest.mark.usefixtures("live_router")
def test_only_the_chats_agent_joins_its_room_and_types_to_the_customer(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """Another agent may not join the chat's interaction room nor type in it; the chat's agent
    does both, and the customer sees "<agent> is typing" start and stop."""
    ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    room = f"interaction:{interaction_id}"
    stranger = _console(live, make_user("agent"))
    mine = _console(live, chat_floor["agent"])
    try:
        assert _call(stranger, "join", {"room": room})["ok"] is False
        refused = _call(stranger, "chat_typing", {"interaction_id": interaction_id, "active": True})
        assert refused == {"ok": False, "error": "forbidden"}
        assert _call(mine, "join", {"room": room})["ok"] is True
        typed = _call(mine, "chat_typing", {"interaction_id": interaction_id, "active": True})
        assert typed == {"ok": True}
        typing = eventually(lambda: ann.of("typing"))[-1]
        assert typing["who"] == "agent" and typing["active"] is True and typing["name"]
        assert len(ann.of("typing")) == 1  # the stranger's attempt never reached the customer
        stopped = {"interaction_id": interaction_id, "active": False}
        assert _call(mine, "chat_typing", stopped) == {"ok": True}
        eventually(lambda: ann.of("typing")[-1]["active"] is False)  # a change goes at once
    finally:
        stranger.close()
        mine.close()


@pytest.mark.usefixtures("live_router")
def test_a_barged_supervisor_may_type_a_monitoring_one_may_not(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """Typing in a chat needs the right to write in it: a supervisor only after barging in."""
    ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    boss = make_user("supervisor")
    console = _console(live, boss)
    try:
        typing = {"interaction_id": interaction_id, "active": True}
        assert _call(console, "chat_typing", typing)["ok"] is False
        barged = requests.post(
            f"{live.url}/api/v1/chats/{interaction_id}/barge", headers=boss["headers"], timeout=5
        )
        assert barged.status_code == 200
        assert _call(console, "chat_typing", typing) == {"ok": True}
        assert eventually(lambda: ann.of("typing"))[-1]["name"].startswith("Supervisor")
    finally:
        console.close()


@pytest.mark.usefixtures("live_router")
def test_a_customer_who_leaves_closes_the_chat_for_the_agent_and_ends_the_interaction(
    app: Any, live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """The customer's close reaches the agent's room as chat_status closed; the interaction
    logs customer_left and is completed (the agent wraps up); the agent can no longer write."""
    ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    console = _console(live, chat_floor["agent"])
    try:
        assert _call(console, "join", {"room": f"interaction:{interaction_id}"})["ok"] is True
        left = ann.http.post(
            f"{live.url}/chat/api/conversations/{ann.conversation_id}/close",
            headers=ann.auth_headers(),
            timeout=5,
        )
        assert left.status_code == 200, left.text
        closed = eventually(
            lambda: [e for e in console.of("chat_status") if e["data"]["status"] == "closed"]
        )
        assert closed[0]["data"]["interaction_id"] == interaction_id
        notice = eventually(
            lambda: [e for e in console.of("chat_message") if "left" in e["data"]["body"]]
        )
        assert notice[0]["data"]["author"]["kind"] == "system"

        def ended() -> set[str] | None:
            with app.extensions["contactcentre"].db.session() as session:
                interaction = session.get(Interaction, interaction_id)
                if interaction is None or interaction.status not in ("completed", "wrap_up"):
                    return None
                events = session.query(InteractionEvent).filter_by(interaction_id=interaction_id)
                return {event.type for event in events}

        types = eventually(ended)
        assert "customer_left" in types
        refused = requests.post(
            f"{live.url}/api/v1/chats/{interaction_id}/messages",
            json={"body": "are you still there?"},
            headers=chat_floor["agent"]["headers"],
            timeout=5,
        )
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "conversation_closed"
    finally:
        console.close()
