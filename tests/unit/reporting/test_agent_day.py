"""An agent's day computed from hand-made events: handled, AHT, missed and rejected offers."""

from __future__ import annotations

from typing import Any

from contactcentre.reporting.agent_day import (
    DEFINITION_IDS,
    DEFINITIONS,
    AgentDay,
    agent_days,
    offers_not_taken,
)
from contactcentre.reporting.contacts import contact_outcomes
from contactcentre.reporting.ledger import LoggedEvent
from routing.metrics import AverageHandleTime


def event(contact: str, kind: str, at: float, **data: Any) -> LoggedEvent:
    return LoggedEvent(contact, "chat", kind, at, data)


def days(events: list[LoggedEvent]) -> dict[str, AgentDay]:
    return agent_days(contact_outcomes(events), offers_not_taken(events))


# Agent 7 handles two chats (60 s + 30 s ACW, then 120 s + 10 s) and has one in progress;
# one offer to 7 expires, one to 8 is declined and 8 handles nothing.
DAY = [
    event("a", "offered", 0.0, agent_id="7"),
    event("a", "offer_expired", 20.0, agent_id="7", reason="expired"),
    event("a", "accepted", 25.0, agent_id="7"),
    event("a", "completed", 85.0),
    event("a", "disposition", 115.0, agent_id="7"),
    event("b", "rejected", 100.0, agent_id="8", reason="rejected"),
    event("b", "accepted", 130.0, agent_id="7"),
    event("b", "completed", 250.0),
    event("b", "wrap_up", 250.0, agent_id="7", ends_at=260.0),
    event("c", "accepted", 300.0, agent_id="7"),
]


def test_an_agents_day_counts_handled_and_averages_their_handle_time():
    """Handled = the agent's ended contacts; AHT = the mean of their talk + hold + ACW."""
    assert days(DAY)["7"] == AgentDay(handled=2, aht_seconds=110.0, missed_offers=1)


def test_offers_declined_and_expired_are_counted_for_the_agent_offered():
    """A declined offer is the offered agent's rejected offer, even if they handle nothing."""
    assert days(DAY)["8"] == AgentDay(rejected_offers=1)


def test_aht_is_rounded_to_a_tenth_of_a_second():
    """Served AHT has one decimal: a mean of 10.26 s shows as 10.3."""
    chats = [
        event("x", "accepted", 0.0, agent_id="7"),
        event("x", "completed", 10.26),
    ]
    assert days(chats)["7"].aht_seconds == 10.3


def test_an_agent_without_events_has_the_zero_day():
    """No events: handled 0, no AHT (never 0 s), no missed or rejected offers."""
    assert AgentDay().to_dict() == {
        "handled": 0,
        "aht_seconds": None,
        "missed_offers": 0,
        "rejected_offers": 0,
    }


def test_every_served_number_names_its_metrics_definition():
    """Each key of the day has the label and versioned id of a routing/metrics.py definition."""
    assert set(DEFINITIONS) == set(DEFINITION_IDS) == set(AgentDay().to_dict())
    assert DEFINITIONS["aht_seconds"] == AverageHandleTime().label
    assert DEFINITION_IDS == {
        "handled": "handled v1",
        "aht_seconds": "aht v2",
        "missed_offers": "offers.missed v1",
        "rejected_offers": "offers.rejected v1",
    }
