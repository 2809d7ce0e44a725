"""The demo lets a newcomer complete every path: agent1, alone and Available, is offered a
contact of every chat topic and every IVR intent (through the real routing engine)."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.chat.sites import TOPIC_VALUES
from contactcentre.demo import seed
from contactcentre.router.config_loader import load_routing_config
from contactcentre.store.models import Agent, ChatSite, User
from routing import effects as fx
from routing import events as ev
from routing.engine import Engine

IVR_INTENTS = ("billing", "technical_support", "sales", "general")  # config/ivr/main.yaml


@pytest.fixture
def demo_engine(database: Any, settings: Any) -> tuple[Engine, str, str]:
    seed(database, settings)
    with database.session() as session:
        engine = Engine(load_routing_config(session))
        agent = session.query(Agent).join(User).filter(User.email == "agent1@example.com").one()
        site = session.query(ChatSite).one()
        engine.apply(
            ev.AgentSignedIn(str(agent.id), agent.skill_levels(), dict(agent.attributes)), 0
        )
        return engine, str(agent.id), str(site.queue_id)


@pytest.mark.parametrize(
    ("channel", "intent"),
    [("chat", topic) for topic in sorted(TOPIC_VALUES)] + [("voice", i) for i in IVR_INTENTS],
)
def test_agent1_alone_is_offered_every_kind_of_demo_contact(
    demo_engine: tuple[Engine, str, str], channel: str, intent: str
) -> None:
    """Within two minutes the one Available agent is offered the contact (chats carry their
    site's queue as the widget sends them)."""
    engine, agent_id, site_queue = demo_engine
    attributes: dict[str, Any] = {"intent": intent, "language": "en"}
    if channel == "chat":
        attributes.update(topic=intent, queue_id=site_queue)
    effects = engine.apply(ev.TaskSubmitted("t1", channel, attributes), 1)
    for now in range(2, 121):
        effects += engine.apply(ev.Tick(), now)
    # An offer left ringing expires and rings again: every one of them is for agent1.
    assert {o.agent_id for o in effects if isinstance(o, fx.OfferCreated)} == {agent_id}
