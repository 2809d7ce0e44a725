"""Tests for routing.events: every event round-trips through JSON and validates itself."""

from __future__ import annotations

import json

import pytest

from routing import events as ev
from routing.config import CapacityProfile, PlanStep, Queue, RoutingConfig, RoutingPlan

SAMPLES: list[ev.Event] = [
    ev.AgentSignedIn("a1", {"billing": 5}, {"languages": ["en"]}, CapacityProfile()),
    ev.AgentUpdated("a1", {"billing": 6}, {"team": "x"}, None),
    ev.AgentStateRequested("a1", "break", "lunch"),
    ev.AgentSignedOut("a1"),
    ev.TaskSubmitted("t1", "chat", {"segment": "gold"}, 2, 1, "a1", 12.5),
    ev.OfferAccepted("r1"),
    ev.OfferRejected("r1", "busy"),
    ev.TaskCanceled("t1", "caller_hangup"),
    ev.TaskCompleted("t1"),
    ev.WrapUpEnded("a1", "t1"),
    ev.TaskTransferred("t1", to_queue_id="q", reason="escalate"),
    ev.TaskRequeued("t1", "agent asked"),
    ev.Tick(),
    ev.ConfigChanged(
        RoutingConfig(queues=[Queue("q")], plans=[RoutingPlan("p", steps=[PlanStep("q")])])
    ),
]


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: e.kind)
def test_events_round_trip_through_json(event: ev.Event) -> None:
    """from_dict(to_dict()) via json gives an equal event of the same kind."""
    data = json.loads(json.dumps(event.to_dict()))
    assert data["kind"] == event.kind
    assert ev.from_dict(data) == event


def test_every_event_type_is_registered() -> None:
    """Each event kind is unique and known to from_dict."""
    assert {type(event) for event in SAMPLES} == set(ev.EVENT_TYPES.values())


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: ev.AgentSignedIn("a", {"x": 11}), "skills.x"),
        (lambda: ev.AgentUpdated("a", {"x": 0}), "skills.x"),
        (lambda: ev.AgentStateRequested("a", "busy"), "state"),
        (lambda: ev.TaskSubmitted("t", "fax"), "channel"),
        (lambda: ev.TaskTransferred("t", to_queue_id="q", to_agent_id="a"), "to_queue_id"),
        (lambda: ev.from_dict({"kind": "nope"}), "kind"),
    ],
)
def test_invalid_events_raise(build: object, field: str) -> None:
    """Out-of-range fields are refused before they reach the engine."""
    with pytest.raises(ev.InvalidEvent) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field
