"""The abandon sweep: a customer whose sockets stay gone past CC_CHAT_ABANDON_SECONDS (or who
never connected) is treated as having left; a connected one is vouched for and kept."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from contactcentre.chat.presence import SEEN, sweep_abandoned
from contactcentre.store.models import ChatConversation, Interaction, InteractionEvent
from tests.integration.realtime.live import eventually

pytestmark = pytest.mark.usefixtures("validated_responses")

AWAY = 300.0


def _set_state(base: str, agent: dict[str, Any], state: str, **extra: Any) -> None:
    url = f"{base}/api/v1/agents/{agent['agent_id']}/state"
    requests.post(url, json={"state": state, **extra}, headers=agent["headers"], timeout=5)
    eventually(
        lambda: requests.get(url, headers=agent["headers"], timeout=5).json()["state"] == state
    )


def _event_types(runtime: Any, interaction_id: str) -> set[str]:
    with runtime.db.session() as session:
        rows = session.query(InteractionEvent).filter_by(interaction_id=interaction_id)
        return {row.type for row in rows}


@pytest.mark.usefixtures("live_router")
def test_a_customer_gone_past_the_limit_leaves_and_the_queued_task_is_canceled(
    app: Any, live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """No socket past the abandon limit closes a queued chat (customer_left, task canceled)."""
    runtime = app.extensions["contactcentre"]
    site = make_site(queue_id=chat_floor["queue"]["id"])
    # Signed in but on a break: the chat is queued and waits.
    _set_state(live.url, chat_floor["agent"], "available")
    _set_state(live.url, chat_floor["agent"], "break", reason="lunch")
    ann = customers()
    ann.start(site.widget_key)
    assert ann.started["status"] == "queued"
    ann.connect()
    ann.close()
    assert sweep_abandoned(runtime, AWAY, now=time.time() + AWAY - 5) == []
    assert sweep_abandoned(runtime, AWAY, now=time.time() + AWAY + 5) == [ann.conversation_id]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        assert (conversation.status, conversation.closed_by) == ("closed", "timeout")
        interaction_id = conversation.interaction_id
    eventually(lambda: {"customer_left", "canceled"} <= _event_types(runtime, interaction_id))


def test_a_visitor_who_never_connects_is_swept_too(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """A visitor who filled in the form but never connected is closed once the limit passes."""
    runtime = app.extensions["contactcentre"]
    site = make_site(bot_enabled=True)
    ann = customers()
    ann.start(site.widget_key)
    assert ann.started["status"] == "bot"
    assert ann.conversation_id in sweep_abandoned(runtime, AWAY, now=time.time() + AWAY + 5)
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None and conversation.status == "closed"
        interaction = session.get(Interaction, conversation.interaction_id)
        assert interaction is not None and interaction.status == "completed"
    assert {"customer_left", "completed"} <= _event_types(runtime, interaction.id)


def test_a_connected_customer_is_vouched_for_and_kept(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """An open socket's web process keeps renewing the customer's mark, so the sweep skips it."""
    runtime = app.extensions["contactcentre"]
    site = make_site(bot_enabled=True)
    ann = customers()
    ann.start(site.widget_key)
    ann.connect()
    long_ago = time.time() - 10 * AWAY
    runtime.redis.zadd(SEEN, {ann.conversation_id: long_ago})
    eventually(lambda: (runtime.redis.zscore(SEEN, ann.conversation_id) or 0) > long_ago)
    assert sweep_abandoned(runtime, AWAY) == []
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None and conversation.status == "bot"


def test_a_closed_conversation_is_dropped_not_closed_again(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """The sweep forgets conversations that already ended instead of ending them twice."""
    runtime = app.extensions["contactcentre"]
    site = make_site(bot_enabled=True)
    ann = customers()
    ann.start(site.widget_key)
    closed = ann.http.post(
        f"{live.url}/chat/api/conversations/{ann.conversation_id}/close",
        headers=ann.auth_headers(),
        timeout=5,
    )
    assert closed.status_code == 200
    assert sweep_abandoned(runtime, AWAY, now=time.time() + AWAY + 5) == []
    assert runtime.redis.zscore(SEEN, ann.conversation_id) is None
