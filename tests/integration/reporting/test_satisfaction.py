"""CSAT from the customers' ratings in the real event log: 4-5 over all ratings in a period,
overall, per rated agent, per queue and per channel; and the chat rating box feeds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contactcentre.reporting.satisfaction import csat
from contactcentre.store.models import Queue
from tests.integration.chat.rows import make_chat
from tests.integration.reporting.builders import add_contact, log

START = datetime(2026, 11, 1, tzinfo=UTC)


def test_csat_is_ratings_of_four_or_five_over_all_ratings_in_the_period(
    app: Any, make_user: Any
) -> None:
    """CSAT counts 4-5 over all ratings given in [start, end), per agent, queue or channel."""
    alex, sam = make_user("agent")["agent_id"], make_user("agent")["agent_id"]
    runtime = app.extensions["contactcentre"]
    day = 86_400.0
    with runtime.db.session() as session:
        sales = Queue(name="Sales", expression="true")
        session.add(sales)
        session.flush()
        given = [
            (alex, 5, sales.id, "chat", 0.0),
            (alex, 4, sales.id, "chat", day),
            (alex, 2, None, "voice", 2 * day),
            (sam, 3, sales.id, "chat", 3 * day),
            (sam, 5, None, "chat", -1.0),  # before the period
            (alex, 5, None, "chat", 30 * day),  # at the end: excluded
        ]
        for agent_id, score, queue_id, channel, at in given:
            contact = add_contact(session, channel, queue_id)
            log(session, contact, START, ("survey", at, {"score": score, "agent_id": agent_id}))
        session.commit()
        end = START + timedelta(days=30)
        everyone = csat(session, START, end)
        assert (everyone.satisfied, everyone.rated, everyone.ratio) == (2, 4, 0.5)
        assert everyone.label() == "CSAT 50% (ratings 4-5 / all ratings (1-5 scale), 2 of 4)"
        per_agent = csat(session, START, end, agent_id=alex)
        assert (per_agent.satisfied, per_agent.rated) == (2, 3)
        per_queue = csat(session, START, end, queue_id=sales.id)
        assert (per_queue.satisfied, per_queue.rated) == (2, 3)
        per_channel = csat(session, START, end, channel="voice")
        assert (per_channel.satisfied, per_channel.rated) == (0, 1)
        nothing = csat(session, end, end + timedelta(days=1), agent_id=sam)
        assert nothing.ratio is None and nothing.rated == 0


def test_a_rating_from_the_chat_box_counts_for_the_chats_agent(
    app: Any, client: Any, make_user: Any
) -> None:
    """A 5 given in the closing chat's rating box is a satisfied rating of that chat's agent."""
    agent_id = make_user("agent")["agent_id"]
    chat = make_chat(app, status="closed", agent_id=agent_id)
    answer = client.post(chat.url("rating"), json={"score": 5}, headers=chat.headers)
    assert answer.status_code == 201, answer.get_json()
    now = datetime.now(UTC)
    with app.extensions["contactcentre"].db.session() as session:
        figure = csat(
            session, now - timedelta(hours=1), now + timedelta(hours=1), agent_id=agent_id
        )
    assert (figure.satisfied, figure.rated) == (1, 1)
