"""Tests for routing.engine: agents, stale commands, reconfiguration and the day boundary."""

from __future__ import annotations

import pytest

from routing import effects as fx
from routing import events as ev
from routing.config import Queue

from .helpers import config, engine, of, offered_agent, offers, sign_in, submit


def test_sign_out_rescinds_pending_offers() -> None:
    """Signing out rescinds the agent's pending offers (reason agent_offline)."""
    e = engine()
    sign_in(e, "a1", 0)
    sign_in(e, "a2", 1)
    submit(e, "t1", 2)
    effects = e.apply(ev.AgentSignedOut("a1"), 3)
    assert [x.reason for x in of(effects, fx.OfferRescinded)] == ["agent_offline"]
    assert offered_agent(effects) == "a2"
    assert of(effects, fx.AgentStateChanged)[0].state == "offline"


def test_break_stops_new_offers_and_available_resumes() -> None:
    """An agent on break receives nothing; becoming available picks up waiting work."""
    e = engine()
    sign_in(e, "a1")
    effects = e.apply(ev.AgentStateRequested("a1", "break", "lunch"), 1)
    assert of(effects, fx.AgentStateChanged) == [fx.AgentStateChanged("a1", "break", "lunch", 1)]
    assert offers(submit(e, "t1", 2)) == []
    assert offered_agent(e.apply(ev.AgentStateRequested("a1", "available"), 3)) == "a1"


@pytest.mark.parametrize(
    "event",
    [
        ev.OfferAccepted("r404"),
        ev.OfferRejected("r404"),
        ev.TaskCanceled("t404"),
        ev.TaskCompleted("t404"),
        ev.TaskCompleted("t1"),  # waiting, not assigned: wrong state
        ev.WrapUpEnded("a1", "t1"),
        ev.TaskTransferred("t404", to_queue_id="support"),
        ev.TaskTransferred("t1", to_queue_id="nope"),
        ev.TaskRequeued("t1"),
        ev.AgentSignedOut("ghost"),
        ev.AgentUpdated("ghost"),
        ev.AgentStateRequested("ghost", "available"),
        ev.TaskSubmitted("t1"),
    ],
    ids=lambda e: e.kind,
)
def test_stale_commands_change_nothing_and_are_noted(event: ev.Event) -> None:
    """Unknown ids or wrong-state commands return no effects, change nothing, and are noted."""
    e = engine()
    submit(e, "t1", 0)
    before = e.snapshot()
    ignored = len(e.ignored()) + len(e.trace("t1"))
    assert e.apply(event, 1) == []
    after = e.snapshot()
    after["traces"] = before["traces"]
    assert after == before | {"now": 1}
    assert len(e.ignored()) + len(e.trace("t1")) == ignored + 1


def test_config_change_reroutes_waiting_tasks() -> None:
    """After ConfigChanged, waiting tasks are routed by the new configuration."""
    e = engine(Queue("support", expression="skills.billing >= 9"))
    sign_in(e, "a1", 0, billing=5)
    submit(e, "t1", 1)
    effects = e.apply(
        ev.ConfigChanged(config(Queue("support", expression="skills.billing >= 5"))), 2
    )
    assert offered_agent(effects) == "a1"


def test_handled_today_resets_at_the_day_boundary() -> None:
    """'Handled today' counts restart when the driver's clock crosses midnight UTC."""
    e = engine()
    sign_in(e, "a1", 86_000)
    e.apply(ev.OfferAccepted(offers(submit(e, "t1", 86_100))[0].reservation_id), 86_100)
    assert e.agent("a1").handled_today == 1  # type: ignore[union-attr]
    e.apply(ev.Tick(), 86_500)
    assert e.agent("a1").handled_today == 0  # type: ignore[union-attr]


def test_due_timers_fire_before_the_event() -> None:
    """An accept that arrives after the offer expired loses: the expiry fires first."""
    e = engine(Queue("support", offer_timeout_seconds=10))
    sign_in(e, "a1")
    rid = offers(submit(e, "t1", 0))[0].reservation_id
    effects = e.apply(ev.OfferAccepted(rid), 10)
    assert [x.reason for x in of(effects, fx.OfferRescinded)] == ["expired"]
    assert of(effects, fx.TaskAssigned) == []


def test_next_deadline_is_none_when_nothing_waits() -> None:
    """With no pending timers there is no deadline to tick for."""
    e = engine()
    assert e.next_deadline() is None
    sign_in(e, "a1")
    assert e.next_deadline() is None


def test_reconfigure_is_the_config_changed_event() -> None:
    """reconfigure(config) applies ConfigChanged at the engine's current time."""
    e = engine(Queue("support", expression="skills.billing >= 9"))
    sign_in(e, "a1", 5, billing=5)
    submit(e, "t1", 6)
    effects = e.reconfigure(config(Queue("support")))
    assert offered_agent(effects) == "a1" and offers(effects)[0].expires_at == 26
