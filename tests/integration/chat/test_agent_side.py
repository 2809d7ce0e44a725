"""The agent's and supervisor's side of a chat, through the live router: joined notice,
replies, read marks, whispers that never reach the customer, barge, closing, canned replies."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from contactcentre.store.models import AuditEntry, ChatConversation
from tests.builders import add_queue
from tests.integration.chat.agents import accept_offer, accepted_chat, available
from tests.integration.realtime.live import eventually

pytestmark = pytest.mark.usefixtures("validated_responses")


@pytest.mark.usefixtures("live_router")
def test_the_customer_is_told_who_joined_and_gets_the_agents_reply(
    live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """On accept the customer sees "<agent> joined"; the agent's reply arrives live."""
    ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    agent = chat_floor["agent"]
    assert any("joined the chat" in m["body"] for m in ann.messages())
    status = [s for s in ann.of("status") if s.get("status") == "active"][-1]
    assert status["agent"]["name"]
    sent = requests.post(
        f"{live.url}/api/v1/chats/{interaction_id}/messages",
        json={"body": "Hi Ann, how can I help?", "client_id": "a-1"},
        headers=agent["headers"],
        timeout=5,
    )
    assert sent.status_code == 201, sent.text
    eventually(lambda: any(m["body"] == "Hi Ann, how can I help?" for m in ann.messages()))
    again = requests.post(
        f"{live.url}/api/v1/chats/{interaction_id}/messages",
        json={"body": "Hi Ann, how can I help?", "client_id": "a-1"},
        headers=agent["headers"],
        timeout=5,
    )
    assert again.json()["seq"] == sent.json()["seq"]
    read = requests.post(
        f"{live.url}/api/v1/chats/{interaction_id}/read",
        json={"seq": sent.json()["seq"]},
        headers=agent["headers"],
        timeout=5,
    )
    assert read.json()["agent_read_seq"] == sent.json()["seq"]
    eventually(lambda: ann.of("read"))


@pytest.mark.usefixtures("live_router")
def test_another_agent_cannot_read_or_write_the_chat(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """An agent who does not handle the chat gets 403 reading or writing it."""
    _ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    stranger = make_user("agent")
    url = f"{live.url}/api/v1/chats/{interaction_id}"
    assert requests.get(url, headers=stranger["headers"], timeout=5).status_code == 403
    response = requests.post(
        f"{url}/messages", json={"body": "hello"}, headers=stranger["headers"], timeout=5
    )
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "interaction_id"


@pytest.mark.usefixtures("live_router")
def test_whisper_reaches_the_agent_only_and_monitoring_moves_no_read_mark(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """A whisper is in the agent's history, never the customer's; monitor and whisper are
    audited; the customer's and agent's read marks do not move."""
    ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    boss = make_user("supervisor")
    url = f"{live.url}/api/v1/chats/{interaction_id}"
    watched = requests.post(f"{url}/monitor", headers=boss["headers"], timeout=5)
    assert watched.status_code == 200
    before = watched.json()["agent_read_seq"], watched.json()["customer_read_seq"]
    note = requests.post(
        f"{url}/whisper",
        json={"body": "Offer the loyalty discount"},
        headers=boss["headers"],
        timeout=5,
    )
    assert note.status_code == 201
    agent_view = requests.get(url, headers=chat_floor["agent"]["headers"], timeout=5).json()
    assert any(
        m["body"] == "Offer the loyalty discount" and m["visibility"] == "agents"
        for m in agent_view["messages"]
    )
    assert (agent_view["agent_read_seq"], agent_view["customer_read_seq"]) == before
    history = ann.http.get(
        f"{live.url}/chat/api/conversations/{ann.conversation_id}/messages",
        headers=ann.auth_headers(),
        timeout=5,
    ).json()["messages"]
    assert all(m["body"] != "Offer the loyalty discount" for m in history)
    assert all(m["body"] != "Offer the loyalty discount" for m in ann.messages())
    with live.app.extensions["contactcentre"].db.session() as session:
        actions = {e.action for e in session.query(AuditEntry).filter_by(target_id=interaction_id)}
    assert {"chat.monitor", "chat.whisper"} <= actions


@pytest.mark.usefixtures("live_router")
def test_barge_announces_the_supervisor_who_may_then_write(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """A supervisor may write only after barging in, which the customer is told about."""
    ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    boss = make_user("supervisor")
    url = f"{live.url}/api/v1/chats/{interaction_id}"
    early = requests.post(
        f"{url}/messages", json={"body": "hi"}, headers=boss["headers"], timeout=5
    )
    assert early.status_code == 403
    assert requests.post(f"{url}/barge", headers=boss["headers"], timeout=5).status_code == 200
    eventually(lambda: any("(supervisor) joined" in m["body"] for m in ann.messages()))
    late = requests.post(
        f"{url}/messages", json={"body": "I'm the team lead"}, headers=boss["headers"], timeout=5
    )
    assert late.status_code == 201
    assert late.json()["author"]["kind"] == "supervisor"


@pytest.mark.usefixtures("live_router")
def test_agent_closes_the_chat_and_the_customer_is_asked_to_rate(
    app: Any, live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """Ending the chat completes the task (agent to wrap-up) and tells the customer to rate."""
    ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    response = requests.post(
        f"{live.url}/api/v1/chats/{interaction_id}/close",
        headers=chat_floor["agent"]["headers"],
        timeout=5,
    )
    assert response.status_code == 200
    closed = eventually(lambda: ann.of("closed"))[0]
    assert closed == {"by": "agent", "rating": True}
    with app.extensions["contactcentre"].db.session() as session:
        conversation = session.get(ChatConversation, ann.conversation_id)
        assert conversation is not None and conversation.closed_by == "agent"
    refused = ann.say("are you there?")
    assert refused["ok"] is False and refused["error"]["code"] == "conversation_closed"


@pytest.mark.usefixtures("live_router")
def test_canned_responses_are_filled_in_with_the_chats_values(
    client: Any, live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """{customer_name} and {agent_name} are filled; an unknown value stays in braces."""
    _ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    admin = chat_floor["admin"]["headers"]
    bad = client.post(
        "/api/v1/canned-responses", json={"title": "x", "body": "Hi {custmer}"}, headers=admin
    )
    assert bad.status_code == 422
    made = client.post(
        "/api/v1/canned-responses",
        json={
            "title": "Greeting",
            "body": "Hi {customer_name}, I'm {agent_name}. Order {order_number}?",
        },
        headers=admin,
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    items = requests.get(
        f"{live.url}/api/v1/canned-responses",
        params={"interaction_id": interaction_id},
        headers=chat_floor["agent"]["headers"],
        timeout=5,
    ).json()["items"]
    text = next(i["text"] for i in items if i["title"] == "Greeting")
    assert text.startswith("Hi Ann Visitor, I'm ")
    assert "{order_number}" in text


@pytest.mark.usefixtures("live_router")
def test_an_agent_whose_console_is_gone_loses_the_chat_to_the_queue_with_its_history(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """Past the grace period without a socket, the agent's chats go back to the queue; the
    customer is told, and the next agent gets the whole conversation."""
    from tests.integration.realtime.live import Listener, browser

    site = make_site(queue_id=chat_floor["queue"]["id"])
    first = chat_floor["agent"]
    http = browser(live.url, first["email"], first["password"])
    console = Listener()
    console.connect(live.url, http, "/agent")
    available(live.url, first)
    ann = customers()
    ann.start(site.widget_key)
    ann.connect()
    ann.say("my router is broken")

    offer = accept_offer(live.url, first)
    eventually(lambda: any(s.get("status") == "active" for s in ann.of("status")))
    console.close()  # the laptop lid closes
    eventually(lambda: any("was disconnected" in m["body"] for m in ann.messages()), timeout=15)

    second = make_user("agent", skills={"chat": 5})
    other_console = Listener()
    other_console.connect(
        live.url, browser(live.url, second["email"], second["password"]), "/agent"
    )
    # Not waiting for "available": the waiting chat is offered at once (the agent is busy).
    requests.post(
        f"{live.url}/api/v1/agents/{second['agent_id']}/state",
        json={"state": "available"},
        headers=second["headers"],
        timeout=5,
    )
    again = accept_offer(live.url, second, timeout=15)
    assert again["task_id"] == offer["task_id"]
    history = requests.get(
        f"{live.url}/api/v1/chats/{offer['task_id']}", headers=second["headers"], timeout=5
    ).json()["messages"]
    assert any(m["body"] == "my router is broken" for m in history)
    other_console.close()


@pytest.mark.usefixtures("live_router")
def test_barge_is_audited_and_announced_once_and_a_supervisor_never_moves_read_marks(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """Each barge is audited; the customer is told once; even a barged supervisor may not move
    the agent's read mark (403 naming seq)."""
    ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    boss = make_user("supervisor")
    url = f"{live.url}/api/v1/chats/{interaction_id}"
    first = requests.post(f"{url}/barge", headers=boss["headers"], timeout=5).json()
    second = requests.post(f"{url}/barge", headers=boss["headers"], timeout=5).json()
    assert first["message"]["seq"] == second["message"]["seq"]
    read = requests.post(f"{url}/read", json={"seq": 99}, headers=boss["headers"], timeout=5)
    assert read.status_code == 403 and read.json()["error"]["field"] == "seq"
    eventually(lambda: any("(supervisor) joined" in m["body"] for m in ann.messages()))
    assert sum("(supervisor) joined" in m["body"] for m in ann.messages()) == 1
    with live.app.extensions["contactcentre"].db.session() as session:
        barges = session.query(AuditEntry).filter_by(target_id=interaction_id, action="chat.barge")
        assert barges.count() == 2
    view = requests.get(url, headers=chat_floor["agent"]["headers"], timeout=5).json()
    assert view["agent_read_seq"] == 0


@pytest.mark.usefixtures("live_router")
def test_the_agent_sends_a_file_and_bad_input_is_refused_naming_the_field(
    live: Any, chat_floor: Any, make_site: Any, customers: Any
) -> None:
    """An agent's attachment reaches the customer as a message; NUL characters, empty bodies and
    a missing file are refused with the field named."""
    ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    headers = chat_floor["agent"]["headers"]
    url = f"{live.url}/api/v1/chats/{interaction_id}"
    sent = requests.post(
        f"{url}/attachments",
        files={"file": ("steps.txt", b"1. unplug it\n2. plug it back\n", "text/plain")},
        data={"client_id": "f-1"},
        headers=headers,
        timeout=5,
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["attachments"][0]["filename"] == "steps.txt"
    eventually(lambda: any(m.get("attachments") for m in ann.messages()))
    nul = requests.post(f"{url}/messages", json={"body": "a\x00b"}, headers=headers, timeout=5)
    assert nul.status_code == 400 and nul.json()["error"]["field"] == "body"
    empty = requests.post(f"{url}/messages", json={"body": ""}, headers=headers, timeout=5)
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "body"
    nofile = requests.post(f"{url}/attachments", data={"x": "1"}, headers=headers, timeout=5)
    assert nofile.status_code == 422 and nofile.json()["error"]["field"] == "file"
    unknown = requests.get(f"{live.url}/api/v1/chats/nope", headers=headers, timeout=5)
    assert unknown.status_code == 404


@pytest.mark.usefixtures("live_router")
def test_a_closed_chat_takes_no_more_staff_messages_whispers_or_barges(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """After the agent ends the chat, replies, whispers and barges answer 409 and the history
    ends with "<agent> ended the chat."."""
    _ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    agent = chat_floor["agent"]["headers"]
    boss = make_user("supervisor")["headers"]
    url = f"{live.url}/api/v1/chats/{interaction_id}"
    assert requests.post(f"{url}/close", headers=agent, timeout=5).status_code == 200
    for path, body, who in (
        ("messages", {"body": "one more thing"}, agent),
        ("whisper", {"body": "too late"}, boss),
        ("barge", None, boss),
        ("close", None, agent),
    ):
        answer = requests.post(f"{url}/{path}", json=body, headers=who, timeout=5)
        assert answer.status_code == 409, (path, answer.text)
    view = requests.get(url, headers=agent, timeout=5).json()
    assert view["status"] == "closed"
    assert view["messages"][-1]["body"].endswith("ended the chat.")


@pytest.mark.usefixtures("live_router")
def test_canned_responses_are_kept_by_administrators_and_scoped_to_a_queue(
    live: Any, chat_floor: Any, make_site: Any, customers: Any, make_user: Any
) -> None:
    """Administrators create, change and delete canned responses (agents may not); a response
    for another queue is not offered in this chat; a stranger's chat answers 403."""
    _ann, interaction_id = accepted_chat(live, chat_floor, make_site, customers)
    admin = chat_floor["admin"]["headers"]
    agent = chat_floor["agent"]["headers"]
    client = live.app.test_client()
    with live.app.extensions["contactcentre"].db.session() as session:
        other_queue = {"id": add_queue(session, "Elsewhere", expression="skills.chat >= 9").id}
    made = client.post(
        "/api/v1/canned-responses",
        json={"title": "Bye", "body": "Bye {customer_name}"},
        headers=admin,
    ).get_json()
    client.post(
        "/api/v1/canned-responses",
        json={"title": "Other", "body": "Not here", "queue_id": other_queue["id"]},
        headers=admin,
    )
    refused = client.post(
        "/api/v1/canned-responses", json={"title": "x", "body": "y"}, headers=agent
    )
    assert refused.status_code == 403
    changed = client.put(
        f"/api/v1/canned-responses/{made['id']}",
        json={"title": "Goodbye", "body": "Goodbye {customer_name}, from {agent_name}"},
        headers=admin,
    )
    assert changed.status_code == 200
    listed = requests.get(
        f"{live.url}/api/v1/canned-responses",
        params={"interaction_id": interaction_id},
        headers=agent,
        timeout=5,
    ).json()["items"]
    assert [i["title"] for i in listed] == ["Goodbye"]
    assert listed[0]["text"].startswith("Goodbye Ann Visitor, from ")
    stranger = make_user("agent")["headers"]
    foreign = requests.get(
        f"{live.url}/api/v1/canned-responses",
        params={"interaction_id": interaction_id},
        headers=stranger,
        timeout=5,
    )
    assert foreign.status_code == 403
    assert client.delete(f"/api/v1/canned-responses/{made['id']}", headers=admin).status_code == 204
    with live.app.extensions["contactcentre"].db.session() as session:
        actions = [e.action for e in session.query(AuditEntry).filter_by(target_id=str(made["id"]))]
    assert {"canned_response.create", "canned_response.update", "canned_response.delete"} <= set(
        actions
    )
