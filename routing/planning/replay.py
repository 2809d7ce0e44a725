"""What-if replay of a logged day: its contacts rebuilt as they arrived (arrival time, talk time,
patience) and run through the real routing engine in the simulator, so a changed configuration
or staffing can be compared with what really happened.

What the log cannot say is guessed as little as possible: a caller who was answered never showed
their patience, only that it outlasted their wait; with exponential patience (memoryless) the
rest of it is drawn from the day's own mean patience. That draw, and agents' shifts (everyone
given is signed in all day), are why an unchanged replay is close to the day but not identical.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from routing.config import RoutingConfig
from routing.metrics import AbandonRate, AverageSpeedOfAnswer, ContactOutcome, ServiceLevel
from routing.simulation import AgentGroup, ContactStream, HandleTime, Scenario, simulate
from routing.simulation.scenario import LoggedContact


@dataclass(frozen=True)
class Figures:
    """A day's queue figures: SL = answered within T / offered (abandons are misses)."""

    offered: int
    service_level: float | None
    asa_seconds: float | None
    abandon_rate: float | None


@dataclass(frozen=True)
class ReplayResult:
    """The day as logged beside the day as replayed, and the replay's mean patience guess."""

    logged: Figures
    replayed: Figures
    mean_patience_seconds: float | None

    @property
    def service_level_error(self) -> float | None:
        """|replayed SL - logged SL| (None when either has nothing to measure)."""
        if self.logged.service_level is None or self.replayed.service_level is None:
            return None
        return abs(self.replayed.service_level - self.logged.service_level)


def day_patience(outcomes: Sequence[ContactOutcome]) -> float | None:
    """Mean patience: all waiting over the callers who hung up (the exponential MLE, answered
    callers' patience cut short at their wait). None when nobody hung up."""
    waited, abandoned = 0.0, 0
    for o in outcomes:
        if o.queued_at is None:
            continue
        left = o.answered_at or o.abandoned_at or o.callback_at
        if left is not None:
            waited += left - o.queued_at
        abandoned += o.abandoned_at is not None
    return waited / abandoned if abandoned else None


def rebuild(
    outcomes: Sequence[ContactOutcome],
    *,
    day_start: float,
    stream: str,
    seed: int,
    attributes_of: Mapping[str, dict[str, Any]] | None = None,
) -> list[LoggedContact]:
    """The day's queued contacts as the simulator replays them, in arrival order.

    Abandoned: patience = their wait. Answered: their wait plus an exponential draw at the day's
    mean patience (memoryless, so the rest of a patience that outlasted the wait). Left for a
    callback: patience = their wait (they left then). Talk time = talk + hold. Contacts that
    never queued (IVR only, or straight to an agent) are not replayed.
    """
    attributes_of = attributes_of or {}
    rng = random.Random(f"{seed}:patience")  # noqa: S311 (simulation, not security)
    mean = day_patience(outcomes)
    contacts = []
    for o in sorted(outcomes, key=lambda o: (o.queued_at or 0.0, o.contact_id)):
        if o.queued_at is None:
            continue
        patience: float | None
        if o.abandoned_at is not None:
            patience = o.abandoned_at - o.queued_at
        elif o.callback_at is not None:
            patience = o.callback_at - o.queued_at
        elif o.answered_at is not None and mean is not None:
            patience = o.answered_at - o.queued_at + rng.expovariate(1.0 / mean)
        else:
            patience = None
        talk = o.talk_seconds + o.hold_seconds
        attrs = dict(attributes_of.get(o.contact_id, {}))
        contacts.append(LoggedContact(stream, o.queued_at - day_start, talk, patience, attrs))
    return contacts


def figures(outcomes: Sequence[ContactOutcome], target_seconds: float) -> Figures:
    queued = [o for o in outcomes if o.queued_at is not None]
    return Figures(
        offered=len(queued),
        service_level=ServiceLevel("genesys", target_seconds).compute(queued),
        asa_seconds=AverageSpeedOfAnswer().compute(queued),
        abandon_rate=AbandonRate().compute(queued),
    )


def replay(
    outcomes: Sequence[ContactOutcome],
    config: RoutingConfig,
    agents: list[AgentGroup],
    *,
    day_start: float,
    day_seconds: float,
    target_seconds: float,
    attributes_of: Mapping[str, dict[str, Any]] | None = None,
    channel: str = "voice",
    seed: int = 1,
) -> ReplayResult:
    """Replay the day's queued contacts through `config` with `agents` signed in from its start.

    `attributes_of` gives each contact's task attributes (what the configuration's plans route
    it by, as it was submitted); the channel is one for the whole day.
    """
    # Its rate is 0: only the logged contacts arrive; its handle time is never drawn.
    streams = [ContactStream("logged", 0.0, HandleTime(1.0), channel=channel)]
    logged = rebuild(
        outcomes, day_start=day_start, stream="logged", seed=seed, attributes_of=attributes_of
    )
    scenario = Scenario(
        config, streams, agents, target_seconds=target_seconds,
        warm_up_seconds=0.0, measure_seconds=day_seconds, logged=tuple(logged),
    )  # fmt: skip
    run = simulate(scenario, seed, keep_outcomes=True)
    return ReplayResult(
        logged=figures(outcomes, target_seconds),
        replayed=figures(run.outcomes, target_seconds),
        mean_patience_seconds=day_patience(outcomes),
    )
