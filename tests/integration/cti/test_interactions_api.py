"""GET /interactions/{id} and POST /interactions/{id}/wrap-up: who may see, what wrap-up needs."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.interactions import event_log
from contactcentre.realtime.desk import Desk
from contactcentre.router.streams import COMMANDS

pytestmark = pytest.mark.usefixtures("validated_responses")


def test_agent_reads_own_contact_with_its_pop(
    client: Any, make_user: Any, customer: int, make_contact: Any
) -> None:
    """The handling agent gets the contact and its screen pop."""
    agent = make_user("agent")
    contact = make_contact(agent_id=agent["agent_id"], customer_id=customer)
    body = client.get(f"/api/v1/interactions/{contact}", headers=agent["headers"]).get_json()
    assert body["interaction"]["id"] == contact
    assert body["pop"]["customer"]["name"] == "Ada Byron"


def test_agent_cannot_read_another_agents_contact(
    client: Any, make_user: Any, make_contact: Any
) -> None:
    """Another agent's contact is 403 naming the field; supervisors may read it."""
    owner, other = make_user("agent"), make_user("agent")
    contact = make_contact(agent_id=owner["agent_id"])
    response = client.get(f"/api/v1/interactions/{contact}", headers=other["headers"])
    assert response.status_code == 403
    assert response.get_json()["error"]["field"] == "interaction_id"
    supervisor = make_user("supervisor")
    assert (
        client.get(f"/api/v1/interactions/{contact}", headers=supervisor["headers"]).status_code
        == 200
    )


def test_offered_contact_is_visible_before_accepting(
    runtime: Any, client: Any, make_user: Any, make_contact: Any
) -> None:
    """The agent an offer rings for may read the contact before accepting (from the desk)."""
    agent = make_user("agent")
    contact = make_contact(status="queued", desk_status=None)
    pipe = runtime.redis.pipeline()
    Desk(runtime.redis).offer(
        pipe, {"agent_id": agent["agent_id"], "reservation_id": "r1", "task_id": contact}
    )
    pipe.execute()
    assert (
        client.get(f"/api/v1/interactions/{contact}", headers=agent["headers"]).status_code == 200
    )


def test_unknown_interaction_is_404(client: Any, make_user: Any) -> None:
    """An unknown id answers 404 naming the field."""
    response = client.get("/api/v1/interactions/nope", headers=make_user("agent")["headers"])
    assert response.status_code == 404
    assert response.get_json()["error"]["field"] == "interaction_id"


def test_wrap_up_requires_a_disposition_code(
    client: Any, make_user: Any, make_contact: Any, dispositions: Any
) -> None:
    """A missing or unknown code is 422 naming disposition_code."""
    agent = make_user("agent")
    contact = make_contact(agent_id=agent["agent_id"], desk_status="ended")
    url = f"/api/v1/interactions/{contact}/wrap-up"
    missing = client.post(url, json={"notes": "x"}, headers=agent["headers"])
    assert missing.status_code == 422
    assert missing.get_json()["error"]["field"] == "disposition_code"
    unknown = client.post(url, json={"disposition_code": "nope"}, headers=agent["headers"])
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["field"] == "disposition_code"


def test_wrap_up_needs_notes_when_the_code_requires_them(
    client: Any, make_user: Any, make_contact: Any, dispositions: Any
) -> None:
    """'Follow-up needed' without notes is 422 naming notes."""
    agent = make_user("agent")
    contact = make_contact(agent_id=agent["agent_id"], desk_status="ended")
    response = client.post(
        f"/api/v1/interactions/{contact}/wrap-up",
        json={"disposition_code": "follow_up", "notes": "  "},
        headers=agent["headers"],
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "notes"


def test_wrap_up_of_a_live_contact_is_refused(
    client: Any, make_user: Any, make_contact: Any, dispositions: Any
) -> None:
    """A contact still in progress cannot be wrapped up (409)."""
    agent = make_user("agent")
    contact = make_contact(agent_id=agent["agent_id"], desk_status="active")
    response = client.post(
        f"/api/v1/interactions/{contact}/wrap-up",
        json={"disposition_code": "resolved"},
        headers=agent["headers"],
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "contact_active"


def test_wrap_up_logs_the_disposition_and_ends_after_call_work(
    runtime: Any, client: Any, make_user: Any, make_contact: Any, dispositions: Any
) -> None:
    """Done writes a disposition event, sends WrapUpEnded, clears the desk; twice is 409."""
    agent = make_user("agent")
    contact = make_contact(agent_id=agent["agent_id"], desk_status="ended")
    url = f"/api/v1/interactions/{contact}/wrap-up"
    body = {"disposition_code": "follow_up", "notes": "Send the new contract."}
    response = client.post(url, json=body, headers=agent["headers"])
    assert response.status_code == 200, response.get_json()
    with runtime.db.session() as session:
        events = event_log.for_interaction(session, contact)
        disposition = [e for e in events if e.type == "disposition"]
        assert disposition[0].data["code"] == "follow_up"
        assert "notes" not in disposition[0].data  # no personal data in the event log
    commands = [f["event"] for _id, f in runtime.redis.xrange(COMMANDS)]
    assert any('"wrap_up_ended"' in c and contact in c for c in commands)
    assert Desk(runtime.redis).get_task(str(agent["agent_id"]), contact) is None
    assert client.post(url, json=body, headers=agent["headers"]).status_code == 409


def test_only_the_contacts_agent_wraps_it_up(
    client: Any, make_user: Any, make_contact: Any, dispositions: Any
) -> None:
    """Another agent's wrap-up attempt is 403."""
    owner, other = make_user("agent"), make_user("agent")
    contact = make_contact(agent_id=owner["agent_id"], desk_status="ended")
    response = client.post(
        f"/api/v1/interactions/{contact}/wrap-up",
        json={"disposition_code": "resolved"},
        headers=other["headers"],
    )
    assert response.status_code == 403


def test_customer_history_lists_every_contact(
    client: Any, make_user: Any, customer: int, make_contact: Any
) -> None:
    """The record view's history holds all of the customer's contacts (anyone's) and open notes."""
    agent = make_user("agent")
    first = make_contact(
        agent_id=agent["agent_id"], customer_id=customer, status="completed", desk_status=None
    )
    second = make_contact(customer_id=customer, status="completed", desk_status=None)
    body = client.get(
        f"/api/v1/customers/{customer}/interactions", headers=agent["headers"]
    ).get_json()
    assert {row["interaction_id"] for row in body["items"]} == {first, second}
    assert [n["body"] for n in body["notes"]] == ["Prefers email follow-ups."]


def test_anonymous_callers_are_refused(client: Any, make_contact: Any) -> None:
    """Without a session or token the API answers 401."""
    contact = make_contact()
    assert client.get(f"/api/v1/interactions/{contact}").status_code == 401
    assert client.get("/api/v1/board").status_code == 401


def test_each_agent_of_a_transferred_contact_wraps_up_their_own_part(
    runtime: Any, client: Any, make_user: Any, make_contact: Any, dispositions: Any
) -> None:
    """After a transfer the first agent wraps up (their part ended) while the second still
    talks; each agent's wrap-up is logged once, and the second may wrap up when theirs ends."""
    first, second = make_user("agent"), make_user("agent")
    contact = make_contact(agent_id=second["agent_id"], desk_status="active")
    pipe = runtime.redis.pipeline()
    Desk(runtime.redis).task(
        pipe, str(first["agent_id"]), {"task_id": contact, "status": "wrap_up"}
    )
    pipe.execute()
    url = f"/api/v1/interactions/{contact}/wrap-up"
    body = {"disposition_code": "resolved"}
    response = client.post(url, json=body, headers=first["headers"])
    assert response.status_code == 200, response.get_json()
    assert client.post(url, json=body, headers=first["headers"]).status_code == 409
    live = client.post(url, json=body, headers=second["headers"])
    assert live.status_code == 409
    assert live.get_json()["error"]["code"] == "contact_active"
    pipe = runtime.redis.pipeline()
    Desk(runtime.redis).task(pipe, str(second["agent_id"]), {"task_id": contact, "status": "ended"})
    pipe.execute()
    assert client.post(url, json=body, headers=second["headers"]).status_code == 200
    with runtime.db.session() as session:
        wrapped = [
            e.data["agent_id"]
            for e in event_log.for_interaction(session, contact)
            if e.type == "disposition"
        ]
    assert sorted(wrapped) == sorted([str(first["agent_id"]), str(second["agent_id"])])


def test_a_supervisor_wraps_up_for_the_contacts_current_agent(
    runtime: Any, client: Any, make_user: Any, make_contact: Any, dispositions: Any
) -> None:
    """A supervisor with no part in the contact records the current agent's wrap-up."""
    agent, supervisor = make_user("agent"), make_user("supervisor")
    contact = make_contact(agent_id=agent["agent_id"], desk_status="ended")
    response = client.post(
        f"/api/v1/interactions/{contact}/wrap-up",
        json={"disposition_code": "resolved"},
        headers=supervisor["headers"],
    )
    assert response.status_code == 200, response.get_json()
    with runtime.db.session() as session:
        events = event_log.for_interaction(session, contact)
        assert [e.data["agent_id"] for e in events if e.type == "disposition"] == [
            str(agent["agent_id"])
        ]
