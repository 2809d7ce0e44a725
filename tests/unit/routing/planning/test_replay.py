"""Replaying a logged day under its own configuration reproduces its service level closely;
changing the staffing changes it the way it should."""

from __future__ import annotations

from dataclasses import replace

import pytest

from routing.config import PlanStep, Queue, RoutingConfig, RoutingPlan
from routing.planning.replay import day_patience, rebuild, replay
from routing.simulation import AgentGroup, ContactStream, HandleTime, Scenario, simulate
from routing.simulation.scenario import LoggedContact
from routing.tally import ContactOutcome

CONFIG = RoutingConfig(
    queues=[Queue("support", expression="skills.support >= 1")],
    plans=[RoutingPlan("all", steps=[PlanStep("support")], max_wait_seconds=86_400)],
)
DAY = 8 * 3600.0


def logged_day(agents: int, patience: float | None, seed: int = 7) -> list[ContactOutcome]:
    """A day the simulator 'logged': 200 calls an hour for 8 hours at 180 s, floor empty at 0."""
    stream = ContactStream("calls", 200.0, HandleTime(180.0), mean_patience_seconds=patience)
    scenario = Scenario(CONFIG, [stream], [AgentGroup("agent", agents, {"support": 5})],
                        warm_up_seconds=0.0, measure_seconds=DAY)  # fmt: skip
    # The log names the queue a caller waited in, hung up or not (the simulator's outcome only
    # names it once a queue answered or moved the contact on).
    outcomes = simulate(scenario, seed, keep_outcomes=True).outcomes
    return [replace(o, queue_id="support") for o in outcomes]


def run(outcomes: list[ContactOutcome], agents: int):
    return replay(
        outcomes, CONFIG, [AgentGroup("agent", agents, {"support": 5})], day_start=0.0,
        day_seconds=DAY, target_seconds=20.0,
    )  # fmt: skip


def test_an_unchanged_replay_reproduces_a_day_without_abandons() -> None:
    """Nobody hangs up: the same arrivals and talk times through the same engine and staff give
    the very same service level."""
    result = run(logged_day(14, None), 14)
    assert result.logged.offered == result.replayed.offered > 1000
    assert result.service_level_error == pytest.approx(0.0, abs=1e-12)


def test_an_unchanged_replay_reproduces_a_day_with_abandons() -> None:
    """With 2-minute patience the answered callers' patience is drawn, not known; but each draw
    outlasts the caller's logged wait, and unchanged they are answered at the same moment, so
    the day comes back exactly (abandons included). The draws matter once something changes."""
    result = run(logged_day(12, 120.0), 12)
    assert result.logged.abandon_rate is not None and result.logged.abandon_rate > 0.03
    assert result.replayed == result.logged
    assert result.mean_patience_seconds == pytest.approx(120.0, rel=0.25)


def test_two_more_agents_raise_the_service_level() -> None:
    """The what-if: the same day with 14 agents instead of 12 answers more within 20 s."""
    outcomes = logged_day(12, 120.0)
    assert (
        run(outcomes, 14).replayed.service_level > run(outcomes, 12).replayed.service_level + 0.05
    )


def test_patience_is_rebuilt_from_what_the_log_shows() -> None:
    """Abandoned: patience = wait; answered: wait plus a draw (so at least the wait); the day's
    mean patience = all waiting / hang-ups = (10 + 30) / 1."""
    outcomes = [
        ContactOutcome("a", queue_id="support", queued_at=100.0, abandoned_at=130.0),
        ContactOutcome("b", queue_id="support", queued_at=50.0, answered_at=60.0, talk_seconds=90.0,
                       hold_seconds=10.0),
        ContactOutcome("c", queue_id=None, arrived_at=5.0),
    ]  # fmt: skip
    assert day_patience(outcomes[:2]) == pytest.approx(40.0)
    answered, abandoned = rebuild(
        outcomes, day_start=0.0, stream="s", seed=1, attributes_of={"a": {"language": "es"}}
    )
    assert abandoned == LoggedContact("s", 100.0, 0.0, 30.0, {"language": "es"})
    assert answered.arrived_at == 50.0 and answered.talk_seconds == 100.0
    assert answered.patience_seconds is not None and answered.patience_seconds > 10.0
