"""Generated demand for the planning tests and bench/planning.py: interval history with a weekly
season, and a simulated day written to the event log as the voice channel writes it.

A plain module (no pytest), like tests/builders.py, so the bench can use it too.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from contactcentre.router.config_loader import load_routing_config
from contactcentre.store.models import Interaction, InteractionEvent
from routing.planning.forecast import IntervalActual
from routing.simulation import AgentGroup, ContactStream, HandleTime, Scenario, simulate
from routing.tally import ContactOutcome

# Monday to Sunday: quieter Fridays and Saturdays, closed on Sundays.
DAY_FACTOR = (1.0, 0.95, 0.9, 0.92, 0.8, 0.45, 0.0)


def seasonal_history(
    weeks: int,
    *,
    start: datetime,
    peak_contacts: float = 40.0,
    aht_seconds: float = 300.0,
    seed: int = 1,
) -> list[IntervalActual]:
    """Interval actuals from `start` (a local Monday 00:00): open 08:00-20:00 with a morning and
    an afternoon peak; Poisson contacts around that shape, and each interval's handle time a sum
    of exponential handle times (so AHT is noisier in quiet intervals, as in a real centre)."""
    rng = random.Random(seed)  # test data, not security
    actuals = []
    for index in range(weeks * 7 * 96):
        at = start + timedelta(minutes=15 * index)
        hour = at.hour + at.minute / 60.0
        if not 8.0 <= hour < 20.0:
            continue
        contacts = _poisson(rng, expected_contacts(at, peak_contacts))
        if contacts == 0:
            continue
        # AHT drifts through the day (longer calls in the afternoon).
        mean = aht_seconds * (0.9 + 0.2 * (hour - 8.0) / 12.0)
        handle = rng.gammavariate(contacts, mean)
        actuals.append(IntervalActual(at.astimezone(UTC), contacts, contacts, handle))
    return actuals


def expected_contacts(at: datetime, peak_contacts: float) -> float:
    """The season itself: the mean the Poisson draws scatter around (0 while closed)."""
    hour = at.hour + at.minute / 60.0
    if not 8.0 <= hour < 20.0:
        return 0.0
    shape = math.exp(-((hour - 10.5) ** 2) / 3.0) + 0.8 * math.exp(-((hour - 15.0) ** 2) / 4.0)
    return peak_contacts * DAY_FACTOR[at.weekday()] * (0.15 + shape)


def _poisson(rng: random.Random, rate: float) -> int:
    """A Poisson draw: Knuth's product method for small rates, the normal beyond."""
    if rate <= 0:
        return 0
    if rate > 60:
        return max(0, round(rng.gauss(rate, math.sqrt(rate))))
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def write_logged_day(
    session: Session,
    outcomes: Sequence[ContactOutcome],
    *,
    day_start: datetime,
    queue_id: int,
    agent_of: Callable[[str | None], int | None],
) -> int:
    """Write a simulated day's contacts as the voice channel logs them (queued, accepted and
    answered by an agent, completed after the talk; or canceled when the caller hung up), in
    bulk, with each interaction's routing attributes; returns the events written.

    `outcomes` carry seconds after `day_start`; `agent_of` maps a simulated agent id to the
    agent row who handled the contact."""
    rows, events = [], []
    for outcome in outcomes:
        if outcome.queued_at is None:
            continue
        interaction_id = str(uuid.uuid4())
        rows.append({"id": interaction_id, "channel": "voice", "queue_id": queue_id,
                     "attributes": {"queue_id": str(queue_id)}})  # fmt: skip
        steps: list[tuple[str, float, dict[str, Any]]] = [
            ("queued", outcome.queued_at, {"queue_id": queue_id})
        ]
        if outcome.answered_at is not None:
            agent = {"agent_id": str(agent_of(outcome.agent_id))}
            steps += [("accepted", outcome.answered_at, agent),
                      ("answered", outcome.answered_at, agent),
                      ("completed", outcome.answered_at + outcome.talk_seconds, {})]  # fmt: skip
        elif outcome.abandoned_at is not None:
            steps.append(("canceled", outcome.abandoned_at, {}))
        for index, (kind, seconds, data) in enumerate(steps):
            at = day_start + timedelta(seconds=seconds)
            events.append({"interaction_id": interaction_id, "type": kind,
                           "idempotency_key": f"{interaction_id}:{index}", "occurred_at": at,
                           "recorded_at": at, "actor": None, "data": data})  # fmt: skip
    for start in range(0, len(rows), 5_000):
        session.execute(insert(Interaction), rows[start : start + 5_000])
    for start in range(0, len(events), 20_000):
        session.execute(insert(InteractionEvent.__table__), events[start : start + 20_000])
    session.commit()
    return len(events)


def simulate_logged_day(
    session: Session,
    *,
    queue_id: int,
    agent_ids: Sequence[int],
    day_start: datetime,
    calls_per_hour: float,
    hours: float,
    aht_seconds: float = 180.0,
    patience_seconds: float | None = 120.0,
    seed: int = 1,
) -> tuple[int, int]:
    """A day the real engine routed under the database's own configuration (Poisson calls to
    the queue, exponential talk and patience, these agents signed in all day, the floor empty
    at `day_start`), written to the event log; returns (contacts, events)."""
    stream = ContactStream(
        "calls", calls_per_hour, HandleTime(aht_seconds),
        attributes={"queue_id": str(queue_id)}, mean_patience_seconds=patience_seconds,
    )  # fmt: skip
    agents = [AgentGroup(f"agent{agent_id}", 1, {}) for agent_id in agent_ids]
    scenario = Scenario(load_routing_config(session), [stream], agents,
                        warm_up_seconds=0.0, measure_seconds=hours * 3600.0)  # fmt: skip
    outcomes = simulate(scenario, seed, keep_outcomes=True).outcomes

    def agent_of(simulated: str | None) -> int | None:
        # "agent17-1" is the only agent of group "agent17": agent row 17.
        return None if simulated is None else int(simulated.removeprefix("agent").split("-")[0])

    events = write_logged_day(
        session, outcomes, day_start=day_start, queue_id=queue_id, agent_of=agent_of
    )
    return len(outcomes), events
