"""Tests for routing.state: derived agent states and record round-trips."""

from __future__ import annotations

import json

from routing.config import CapacityProfile
from routing.state import AgentRecord, Reservation, TaskRecord


def test_derived_state_precedence() -> None:
    """Offline beats everything; held work is busy; then wrap-up; then break; else available."""
    agent = AgentRecord("a1", {}, {}, None)
    assert agent.derived_state() == ("available", None)
    agent.presence, agent.break_reason = "break", "lunch"
    assert agent.derived_state() == ("break", "lunch")
    agent.wrap_ups["t1"] = 10.0
    assert agent.derived_state() == ("wrap-up", None)
    agent.tasks.append("t2")
    assert agent.derived_state() == ("busy", None)
    agent.presence = "offline"
    assert agent.derived_state() == ("offline", None)


def test_only_available_agents_without_wrap_up_are_routable() -> None:
    """An agent receives offers only when available and not wrapping up."""
    agent = AgentRecord("a1", {}, {}, None)
    assert agent.routable()
    agent.wrap_ups["t1"] = 1.0
    assert not agent.routable()


def test_records_round_trip_through_json() -> None:
    """Agent, task and reservation records survive JSON."""
    agent = AgentRecord("a1", {"s": 3}, {"languages": ["en"]}, CapacityProfile(), held={"chat": 2})
    task = TaskRecord("t1", "chat", {"x": 1}, 2, 1, None, 5.0, "p", 7, excluded=["a2"])
    reservation = Reservation("r1", "t1", "a1", "q", 30.0, "chat", "d1")
    for record in (agent, task, reservation):
        data = json.loads(json.dumps(record.to_dict()))
        assert type(record).from_dict(data) == record
