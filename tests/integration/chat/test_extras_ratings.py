"""The rating box at close: stored once as CSAT with its agent, a survey event without the
comment, the customer's satisfaction updated (the CSAT figure: tests/integration/reporting).

Conversations are inserted as rows (site, chat interaction, conversation, signed token; see
rows.py), so these tests need neither the pre-chat endpoint nor a router."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contactcentre.router.streams import TASK
from contactcentre.store.models import CsatRating, Customer, InteractionEvent
from tests.integration.chat.rows import make_chat

pytestmark = pytest.mark.usefixtures("validated_responses")


def test_a_rating_is_stored_as_csat_with_its_agent(app: Any, client: Any, make_user: Any) -> None:
    """A 1-5 rating is stored with the chat's agent and sets the customer's satisfaction."""
    agent = make_user("agent")
    with app.extensions["contactcentre"].db.session() as session:
        customer = Customer(first_name="Ann", last_name="Visitor")
        session.add(customer)
        session.commit()
        customer_id = customer.id
    chat = make_chat(app, agent_id=agent["agent_id"], customer_id=customer_id)
    answer = client.post(
        chat.url("rating"), json={"score": 5, "comment": "Quick and kind"}, headers=chat.headers
    )
    assert answer.status_code == 201, answer.get_json()
    with app.extensions["contactcentre"].db.session() as session:
        rating = session.query(CsatRating).filter_by(interaction_id=chat.interaction_id).one()
        assert (rating.score, rating.comment, rating.channel) == (5, "Quick and kind", "chat")
        assert rating.agent_id == agent["agent_id"]
        customer = session.get(Customer, customer_id)
        assert customer is not None and customer.satisfaction == 5


def test_the_survey_event_holds_ids_and_score_but_never_the_comment(
    app: Any, client: Any, make_user: Any
) -> None:
    """The interaction's survey event carries the score and agent, not the comment's text."""
    agent = make_user("agent")
    chat = make_chat(app, agent_id=agent["agent_id"])
    client.post(
        chat.url("rating"), json={"score": 2, "comment": "my card 4111"}, headers=chat.headers
    )
    with app.extensions["contactcentre"].db.session() as session:
        survey = (
            session.query(InteractionEvent)
            .filter_by(interaction_id=chat.interaction_id, type="survey")
            .one()
        )
        assert survey.data == {"score": 2, "scale": 5, "agent_id": agent["agent_id"]}
        assert "4111" not in json.dumps(survey.data)


def test_a_chat_is_rated_only_once(app: Any, client: Any, make_user: Any) -> None:
    """A second rating of the same chat is refused with 409 already_rated; the first stays."""
    chat = make_chat(app, status="closed", agent_id=make_user("agent")["agent_id"])
    assert (
        client.post(chat.url("rating"), json={"score": 4}, headers=chat.headers).status_code == 201
    )
    again = client.post(chat.url("rating"), json={"score": 1}, headers=chat.headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_rated"
    with app.extensions["contactcentre"].db.session() as session:
        assert [r.score for r in session.query(CsatRating)] == [4]


def test_scores_outside_one_to_five_are_refused_naming_score(
    app: Any, client: Any, make_user: Any
) -> None:
    """0, 6, 4.5, "5", true and a missing score are 422 naming `score`; nothing is stored."""
    chat = make_chat(app, agent_id=make_user("agent")["agent_id"])
    for score in (0, 6, 4.5, "5", True, None):
        answer = client.post(chat.url("rating"), json={"score": score}, headers=chat.headers)
        assert answer.status_code == 422, score
        assert answer.get_json()["error"]["field"] == "score"
    with app.extensions["contactcentre"].db.session() as session:
        assert session.query(CsatRating).count() == 0


def test_a_comment_over_2000_characters_is_refused(app: Any, client: Any, make_user: Any) -> None:
    """The comment is limited to 2000 characters: 422 naming `comment`."""
    chat = make_chat(app, agent_id=make_user("agent")["agent_id"])
    answer = client.post(
        chat.url("rating"), json={"score": 3, "comment": "x" * 2001}, headers=chat.headers
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "comment"


def test_a_chat_no_agent_joined_has_nothing_to_rate(app: Any, client: Any) -> None:
    """A bot-only chat is refused with 409 nothing_to_rate (the bot is not an agent to rate)."""
    chat = make_chat(app, status="closed", agent_id=None)
    answer = client.post(chat.url("rating"), json={"score": 5}, headers=chat.headers)
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "nothing_to_rate"


def test_a_rating_needs_the_conversations_own_token(app: Any, client: Any, make_user: Any) -> None:
    """No token or a forged one is 401; another conversation's token is 403."""
    agent_id = make_user("agent")["agent_id"]
    chat = make_chat(app, agent_id=agent_id)
    other = make_chat(app, agent_id=agent_id)
    missing = client.post(chat.url("rating"), json={"score": 5})
    assert missing.status_code == 401
    forged = client.post(
        chat.url("rating"),
        json={"score": 5},
        headers={"Authorization": f"Bearer {chat.token[:-4]}AAAA"},
    )
    assert forged.status_code == 401
    assert forged.get_json()["error"]["code"] == "invalid_token"
    wrong = client.post(chat.url("rating"), json={"score": 5}, headers=other.headers)
    assert wrong.status_code == 403
    with app.extensions["contactcentre"].db.session() as session:
        assert session.query(CsatRating).count() == 0


def test_before_the_sql_write_back_the_agent_comes_from_routing(
    app: Any, client: Any, make_user: Any, redis_client: Any
) -> None:
    """Rated just after the agent joined (routing ahead of SQL): stored with that agent."""
    agent_id = make_user("agent")["agent_id"]
    chat = make_chat(app, agent_id=None)
    redis_client.hset(TASK + chat.interaction_id, "agent_id", str(agent_id))
    answer = client.post(chat.url("rating"), json={"score": 4}, headers=chat.headers)
    assert answer.status_code == 201, answer.get_json()
    with app.extensions["contactcentre"].db.session() as session:
        assert session.query(CsatRating).one().agent_id == agent_id
