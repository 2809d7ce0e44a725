"""The customer's side of a chat: pre-chat form, token, socket history, numbered messages,
resends, reconnects, routing hand-over and leaving."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import socketio

from contactcentre.chat import namespace as chat_namespace
from contactcentre.chat.conversations import chat_service
from contactcentre.router.streams import TASK
from contactcentre.store.models import ChatConversation, Interaction, InteractionEvent, Message
from tests.integration.chat.agents import accept_offer, available, desk
from tests.integration.realtime.live import browser, eventually

pytestmark = pytest.mark.usefixtures("validated_responses")


@pytest.mark.usefixtures("live_router")
def test_prechat_form_gives_a_token_and_the_socket_sends_history(
    live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """The pre-chat form answers with a conversation token; the socket opens with the history."""
    site = make_site(queue_id=chat_floor["queue"]["id"])
    available(live.url, chat_floor["agent"])
    ann = customers()
    response = ann.start(site.widget_key, topic="billing")
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "queued"
    ann.connect()
    eventually(lambda: ann.of("history"))
    reply = ann.say("Hello, my invoice is wrong")
    assert reply["ok"] is True
    assert reply["message"]["seq"] >= 1
    assert reply["message"]["author"]["kind"] == "customer"


def test_messages_are_numbered_without_gaps_and_persisted_before_delivery(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """Each delivered message is already a row in SQL, numbered 1, 2, 3... per conversation."""
    site = make_site()
    ann = customers()
    assert ann.start(site.widget_key).status_code == 201
    ann.connect()
    for n in range(5):
        assert ann.say(f"message {n}")["ok"]
    eventually(lambda: len(ann.messages()) >= 5)
    seqs = [m["seq"] for m in ann.messages()]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        stored = {
            m.seq
            for m in session.query(Message).filter_by(interaction_id=conversation.interaction_id)
        }
    assert set(seqs) <= stored


def test_messages_sent_without_waiting_are_numbered_in_the_order_typed(
    live: Any, make_site: Any, customers: Any
) -> None:
    """A burst of messages from one socket, none waiting for its answer, keeps its order."""
    site = make_site(bot_enabled=False)
    ann = customers()
    ann.start(site.widget_key)
    ann.connect()
    answers: dict[int, Any] = {}
    for n in range(12):
        ann.sio.emit(
            "message",
            {"body": f"burst {n}", "client_id": f"burst-{n}"},
            namespace="/chat",
            callback=lambda answer, n=n: answers.__setitem__(n, answer),
        )
    eventually(lambda: len(answers) == 12)
    assert all(answers[n]["ok"] for n in range(12))
    seqs = [answers[n]["message"]["seq"] for n in range(12)]
    assert seqs == sorted(seqs)
    assert seqs == list(range(seqs[0], seqs[0] + 12))


def test_a_resend_with_the_same_client_id_is_not_a_duplicate(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """A message resent after a blip with its client_id returns the stored one, not a copy,
    and uses up no number: the next message follows it without a gap."""
    site = make_site(bot_enabled=False)
    ann = customers()
    ann.start(site.widget_key)
    ann.connect()
    first = ann.say("only once", client_id="c-1")
    again = ann.say("only once", client_id="c-1")
    assert first["message"]["seq"] == again["message"]["seq"]
    after = ann.say("and then this", client_id="c-2")
    assert after["message"]["seq"] == first["message"]["seq"] + 1
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        assert conversation.last_seq == after["message"]["seq"]
        count = (
            session.query(Message)
            .filter_by(interaction_id=conversation.interaction_id, body="only once")
            .count()
        )
    assert count == 1


def test_reconnect_with_last_seq_gets_exactly_what_was_missed(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """A customer who reconnects with the last number seen receives only later messages."""
    site = make_site()
    ann = customers()
    ann.start(site.widget_key)
    ann.connect()
    seen = ann.say("before the blip")["message"]["seq"]
    ann.close()
    # Meanwhile the other side writes (a second socket on the same conversation).
    other = customers()
    other.token = ann.token
    other.connect()
    other.say("while away 1")
    other.say("while away 2")
    other.close()
    back = customers()
    back.token = ann.token
    back.connect(last_seq=seen)
    history = eventually(lambda: back.of("history"))[0]
    assert [m["body"] for m in history["messages"]] == ["while away 1", "while away 2"]


def test_customer_message_is_delivered_live_to_another_socket(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """Messages reach every socket of the conversation through the message queue."""
    site = make_site()
    ann = customers()
    ann.start(site.widget_key)
    ann.connect()
    tab = customers()
    tab.token = ann.token
    tab.connect()
    ann.say("seen in both tabs")
    eventually(lambda: any(m["body"] == "seen in both tabs" for m in tab.messages()))


@pytest.mark.usefixtures("live_router")
def test_close_while_queued_cancels_the_task_and_logs_customer_left(
    app: Any, live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """A customer who leaves while waiting ends the interaction: customer_left, task canceled."""
    site = make_site(queue_id=chat_floor["queue"]["id"])
    available(live.url, chat_floor["agent"])
    # The agent is busy elsewhere, so the chat waits: take them out of the running first.
    headers = chat_floor["agent"]["headers"]
    requests.post(
        f"{live.url}/api/v1/agents/{chat_floor['agent']['agent_id']}/state",
        json={"state": "break", "reason": "lunch"},
        headers=headers,
        timeout=5,
    )
    state_url = f"{live.url}/api/v1/agents/{chat_floor['agent']['agent_id']}/state"
    eventually(
        lambda: requests.get(state_url, headers=headers, timeout=5).json()["state"] == "break"
    )
    ann = customers()
    ann.start(site.widget_key)
    # Signed in (on a break) counts as someone who will answer: the chat is queued.
    assert ann.started["status"] == "queued"
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        interaction_id = conversation.interaction_id
    response = ann.http.post(
        f"{live.url}/chat/api/conversations/{ann.conversation_id}/close",
        headers=ann.auth_headers(),
        timeout=5,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "closed"

    def ended() -> bool:
        with runtime.db.session() as session:
            types = {
                e.type
                for e in session.query(InteractionEvent).filter_by(interaction_id=interaction_id)
            }
        return {"customer_left", "canceled"} <= types

    eventually(ended)


@pytest.mark.usefixtures("live_router")
def test_no_agent_signed_in_offers_leave_a_message(
    app: Any, live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """With nobody signed in the chat is not queued; the widget is told to offer a message."""
    site = make_site(queue_id=chat_floor["queue"]["id"])
    ann = customers()
    ann.start(site.widget_key)
    assert ann.started["leave_message"] is True
    assert ann.started["status"] != "queued"
    assert (ann.started["open"], ann.started["agents_available"]) == (True, False)
    assert any(m["author"]["kind"] == "system" for m in ann.started["messages"])


@pytest.mark.usefixtures("live_router")
def test_hand_over_submits_a_chat_task_that_reaches_the_agent(
    app: Any, live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """With the bot off and an agent available, the chat is routed to the agent at once."""
    site = make_site(queue_id=chat_floor["queue"]["id"])
    available(live.url, chat_floor["agent"])
    ann = customers()
    ann.start(site.widget_key, topic="general")
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        interaction = session.get(Interaction, conversation.interaction_id)
        assert interaction is not None and interaction.channel == "chat"
        interaction_id = interaction.id
    assert accept_offer(live.url, chat_floor["agent"], interaction_id)["channel"] == "chat"
    eventually(lambda: runtime.redis.hget(TASK + interaction_id, "agent_id") is not None)


def test_racing_resends_of_one_message_store_it_once(
    app: Any, live: Any, make_site: Any, customers: Any
) -> None:
    """Copies of one message sent at once with the same client_id all get the same stored one."""
    site = make_site(bot_enabled=False)
    ann = customers()
    ann.start(site.widget_key)
    url = f"{live.url}/chat/api/conversations/{ann.conversation_id}/messages"
    answers: list[Any] = []

    def send() -> None:
        answers.append(
            ann.http.post(
                url, json={"body": "hello", "client_id": "c-race"}, headers=ann.auth_headers()
            )
        )

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert [a.status_code for a in answers] == [201] * 5
    assert len({a.json()["seq"] for a in answers}) == 1
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        rows = session.query(Message).filter_by(
            interaction_id=conversation.interaction_id, client_id="c-race"
        )
        assert rows.count() == 1


@pytest.mark.usefixtures("live_router")
def test_the_bots_hand_over_routes_a_chat_task_to_an_agent(
    app: Any, live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """With the bot on, its greeting comes first and "agent" submits a chat task to the ACD."""
    site = make_site(bot_enabled=True, queue_id=chat_floor["queue"]["id"])
    agent = chat_floor["agent"]
    available(live.url, agent)
    ann = customers()
    ann.start(site.widget_key, topic="general")
    assert ann.started["status"] == "bot"
    assert ann.started["messages"][0]["author"]["kind"] == "bot"
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        interaction_id = conversation.interaction_id
    # Not with the ACD while the bot talks.
    assert runtime.redis.exists(TASK + interaction_id) == 0
    ann.connect()
    assert ann.say("agent", client_id="c-agent")["ok"]

    def offered() -> list[dict[str, Any]]:
        return [o for o in desk(live.url, agent)["offers"] if o["task_id"] == interaction_id]

    assert eventually(offered)[0]["channel"] == "chat"
    with runtime.db.session() as session:
        types = {
            e.type for e in session.query(InteractionEvent).filter_by(interaction_id=interaction_id)
        }
    assert {"bot_handover", "queued"} <= types


def test_outside_business_hours_the_widget_offers_a_message(
    live: Any, make_site: Any, customers: Any
) -> None:
    """A site closed today (a holiday) says so in its configuration and never queues the chat."""
    today = datetime.now(UTC).date()
    every_day = {day: ["00:00-23:59"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    holidays = [str(today + timedelta(days=d)) for d in (-1, 0, 1)]
    site = make_site(business_hours={"timezone": "UTC", "weekly": every_day, "holidays": holidays})
    ann = customers()
    config = ann.http.get(f"{live.url}/chat/api/sites/{site.widget_key}", timeout=5).json()
    assert (config["open"], config["agents_available"]) == (False, False)
    ann.start(site.widget_key)
    assert ann.started["status"] == "bot"
    assert ann.started["leave_message"] is True
    assert ann.started["open"] is False


def test_customer_typing_and_read_marks_reach_the_interaction_room(
    live: Any,
    make_site: Any,
    customers: Any,
    make_user: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Typing changes are relayed at once (repeats are thinned) and read marks are numbered."""
    monkeypatch.setattr(chat_namespace, "TYPING_REPEAT_SECONDS", 3600.0)  # no clock in the test
    site = make_site(bot_enabled=True)
    ann = customers()
    ann.start(site.widget_key)
    runtime = live.app.extensions["contactcentre"]
    with runtime.db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None
        room = f"interaction:{conversation.interaction_id}"
    supervisor = make_user("supervisor")
    http = browser(live.url, supervisor["email"], supervisor["password"])
    seen: list[tuple[str, Any]] = []
    watcher = socketio.Client(reconnection=False)
    watcher.on("*", lambda event, data=None: seen.append((event, data)), namespace="/agent")
    watcher.connect(
        live.url,
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())},
        namespaces=["/agent"],
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        assert watcher.call("join", {"room": room}, namespace="/agent", timeout=10)["ok"]
        ann.connect()
        for active in (True, True, True, False):
            assert ann.sio.call("typing", {"active": active}, namespace="/chat", timeout=10)["ok"]
        last = ann.messages()[-1]["seq"]
        read = ann.sio.call("read", {"seq": last}, namespace="/chat", timeout=10)
        assert read == {"ok": True, "seq": last}

        def typing() -> list[bool]:
            return [d["active"] for e, d in seen if e == "chat_typing"]

        eventually(lambda: typing() == [True, False])
        eventually(lambda: any(e == "chat_read" for e, _ in seen))
        marks = [d["data"] for e, d in seen if e == "chat_read"]
        assert marks == [{"who": "customer", "seq": last}]
    finally:
        watcher.disconnect()


def test_a_failing_bot_hands_the_customer_to_a_person(
    live: Any, make_site: Any, customers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the bot breaks on the first or a later turn, the chat goes to the ACD path instead."""
    runtime = live.app.extensions["contactcentre"]
    bot = chat_service(runtime).bot

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("flow bug")

    site = make_site(bot_enabled=True)
    monkeypatch.setattr(bot, "start", broken)
    ann = customers()
    assert ann.start(site.widget_key).status_code == 201
    assert ann.started["leave_message"] is True  # nobody signed in: the form, not a dead end
    monkeypatch.undo()
    monkeypatch.setattr(bot, "reply", broken)
    bob = customers()
    bob.start(site.widget_key)
    assert bob.started["status"] == "bot" and not bob.started["leave_message"]
    bob.connect()
    assert bob.say("hello")["ok"]
    eventually(lambda: any(s.get("leave_message") for s in bob.of("status")))
