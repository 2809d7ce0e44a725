"""One replication: callers and agents as a discrete-event loop around the real routing engine.

The engine decides; this loop only plays customers (arrive, hang up) and agents (answer, talk).

Why a heapq loop and not simpy: the engine owns its timers and tells the driver only the
earliest one through next_deadline(), which moves after every apply(). A heap of customer and
agent events merged with that deadline is a few lines and exactly the router process's loop;
in simpy it would need a polling process interrupted on each change, for no gain. Ties break by
insertion order, so a run is a pure function of (scenario, seed).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field

from routing import effects as fx
from routing import events as ev
from routing.engine import Engine
from routing.metrics import (
    AbandonRate,
    AgentTime,
    AverageSpeedOfAnswer,
    ContactOutcome,
    Occupancy,
    ServiceLevel,
)
from routing.simulation.scenario import ContactStream, Scenario

# Event kinds on the loop's heap (the engine's own timers come from next_deadline()).
ARRIVAL, HANG_UP, ANSWER, HANG_UP_AFTER_TALK, DONE, LOGGED_ARRIVAL = range(6)


@dataclass
class _Contact:
    stream: ContactStream
    arrived_at: float
    talk_seconds: float
    measured: bool
    answered_at: float | None = None
    abandoned_at: float | None = None
    exited_at: float | None = None
    queue_id: str | None = None
    agent_id: str | None = None

    @property
    def settled(self) -> bool:
        left = (self.answered_at, self.abandoned_at, self.exited_at)
        return any(at is not None for at in left)


@dataclass(frozen=True)
class Replication:
    """What one seeded run measured (None where there was nothing to measure)."""

    seed: int
    service_level: float | None
    asa: float | None
    abandon_rate: float | None
    occupancy: float | None
    offered: int
    service_level_by_stream: dict[str, float | None] = field(default_factory=dict)
    outcomes: tuple[ContactOutcome, ...] = ()


class _Floor:
    """The loop's state for one run: heap, contacts, and agent time accounting."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = seed
        self.engine = Engine(scenario.config, seed=seed)
        self.heap: list[tuple[float, int, int, str]] = []
        self.seq = 0
        self.clock = 0.0
        self.arrived: dict[str, int] = {}
        self.contacts: dict[str, _Contact] = {}
        self.unsettled = 0
        # One stream of random numbers per contact stream (string seeds hash stably), so two
        # routing configs see the very same callers: common random numbers for comparisons.
        # Simulation, not security: seeded, reproducible generators are the point.
        self.rngs = {s.name: random.Random(f"{seed}:{s.name}") for s in scenario.streams}  # noqa: S311
        self.wrap_rng = random.Random(f"{seed}:wrap-up")  # noqa: S311
        self.streams = {s.name: s for s in scenario.streams}
        self.pending_answers: dict[str, str] = {}  # task id -> reservation id being answered
        self.agent_state: dict[str, tuple[str, float]] = {}
        self.agent_time: dict[str, list[float]] = {}  # agent -> [on contacts, idle]

    def push(self, at: float, kind: int, ref: str) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, ref))

    # -- the loop ----------------------------------------------------------------------

    def run(self) -> None:
        for group in self.scenario.agents:
            for number in range(1, group.count + 1):
                signed_in = ev.AgentSignedIn(
                    f"{group.prefix}-{number}", dict(group.skills), dict(group.attributes)
                )
                self.apply(signed_in, 0.0)
        for stream in self.scenario.streams:
            if stream.arrivals_per_hour > 0:
                self.push(self._interarrival(stream), ARRIVAL, stream.name)
        for index, logged in enumerate(self.scenario.logged):
            self.push(logged.arrived_at, LOGGED_ARRIVAL, str(index))
        end = self.scenario.end_of_arrivals
        while not (self.clock >= end and self.unsettled == 0):
            deadline = self.engine.next_deadline()
            at = self.heap[0][0] if self.heap else None
            if deadline is not None and (at is None or deadline <= at):
                self.clock = max(self.clock, deadline)
                self.apply(ev.Tick(), self.clock)
                continue
            if at is None:
                break
            _, _, kind, ref = heapq.heappop(self.heap)
            self.clock = at
            self.handle(kind, ref, at)
        self.close_agent_time(self.scenario.end_of_arrivals)

    def _interarrival(self, stream: ContactStream) -> float:
        return self.rngs[stream.name].expovariate(stream.arrivals_per_hour / 3600.0)

    def handle(self, kind: int, ref: str, now: float) -> None:
        if kind == ARRIVAL:
            self.arrive(self.streams[ref], now)
        elif kind == LOGGED_ARRIVAL:
            logged = self.scenario.logged[int(ref)]
            self.enter(
                self.streams[logged.stream], now, logged.talk_seconds, logged.patience_seconds,
                attributes=logged.attributes, priority=logged.priority,
            )  # fmt: skip
        elif kind == HANG_UP:
            contact = self.contacts[ref]
            if contact.answered_at is None and not contact.settled:
                contact.abandoned_at = now
                self.settle(contact)
                self.pending_answers.pop(ref, None)
                self.apply(ev.TaskCanceled(ref, "caller_hangup"), now)
        elif kind == ANSWER:
            task_id, _, reservation_id = ref.partition("|")  # task ids never hold '|'
            if self.pending_answers.get(task_id) == reservation_id:
                del self.pending_answers[task_id]
                self.apply(ev.OfferAccepted(reservation_id), now)
        elif kind == HANG_UP_AFTER_TALK:
            self.apply(ev.TaskCompleted(ref), now)
        else:
            agent_id, _, task_id = ref.partition("|")
            self.apply(ev.WrapUpEnded(agent_id, task_id), now)

    def arrive(self, stream: ContactStream, now: float) -> None:
        rng = self.rngs[stream.name]
        # Draw in a fixed order per arrival so every routing config sees the same callers.
        talk = stream.handle.sample(rng)
        patience = (
            rng.expovariate(1.0 / stream.mean_patience_seconds)
            if stream.mean_patience_seconds is not None
            else None
        )
        nxt = now + self._interarrival(stream)
        if nxt < self.scenario.end_of_arrivals:
            self.push(nxt, ARRIVAL, stream.name)
        self.enter(stream, now, talk, patience)

    def enter(
        self,
        stream: ContactStream,
        now: float,
        talk: float,
        patience: float | None,
        *,
        attributes: dict[str, object] | None = None,
        priority: int | None = None,
    ) -> None:
        """A contact joins: measured if it arrives in the window, hangs up when patience ends."""
        number = self.arrived[stream.name] = self.arrived.get(stream.name, 0) + 1
        task_id = f"{stream.name}-{number}"
        end = self.scenario.end_of_arrivals
        measured = self.scenario.warm_up_seconds <= now < end
        self.contacts[task_id] = _Contact(stream, now, talk, measured)
        self.unsettled += measured
        if patience is not None:
            self.push(now + patience, HANG_UP, task_id)
        task_attributes = {"stream": stream.name, **stream.attributes, **(attributes or {})}
        submitted = ev.TaskSubmitted(
            task_id, stream.channel, task_attributes,
            stream.priority if priority is None else priority, created_at=now,
        )  # fmt: skip
        self.apply(submitted, now)

    def settle(self, contact: _Contact) -> None:
        if contact.measured:
            self.unsettled -= 1

    # -- effects -----------------------------------------------------------------------

    def apply(self, event: ev.Event, now: float) -> None:
        for effect in self.engine.apply(event, now):
            self.react(effect, now)

    def react(self, effect: fx.Effect, now: float) -> None:
        if isinstance(effect, fx.OfferCreated):
            self.pending_answers[effect.task_id] = effect.reservation_id
            ref = f"{effect.task_id}|{effect.reservation_id}"
            self.push(now + self.scenario.accept_delay_seconds, ANSWER, ref)
        elif isinstance(effect, fx.OfferRescinded):
            self.pending_answers.pop(effect.task_id, None)
        elif isinstance(effect, fx.TaskAssigned):
            contact = self.contacts[effect.task_id]
            contact.answered_at, contact.queue_id = now, effect.queue_id
            contact.agent_id = effect.agent_id
            self.settle(contact)
            self.push(now + contact.talk_seconds, HANG_UP_AFTER_TALK, effect.task_id)
        elif isinstance(effect, fx.TaskExited):
            # Callback, voicemail or max wait: the caller left the queue, but not by hanging up.
            contact = self.contacts[effect.task_id]
            if not contact.settled:
                contact.exited_at, contact.queue_id = now, effect.queue_id
                self.settle(contact)
        elif isinstance(effect, fx.WrapUpStarted) and self.scenario.wrap_up is not None:
            done = now + self.scenario.wrap_up.sample(self.wrap_rng)
            if done < effect.ends_at:
                self.push(done, DONE, f"{effect.agent_id}|{effect.task_id}")
        elif isinstance(effect, fx.AgentStateChanged):
            self.close_agent_time(now, effect.agent_id)
            self.agent_state[effect.agent_id] = (effect.state, now)

    def close_agent_time(self, now: float, only: str | None = None) -> None:
        """Book the time since the agent's last state change inside the measured window."""
        start, end = self.scenario.warm_up_seconds, self.scenario.end_of_arrivals
        for agent_id in [only] if only is not None else list(self.agent_state):
            if agent_id not in self.agent_state:
                continue
            state, since = self.agent_state[agent_id]
            seconds = max(0.0, min(now, end) - max(since, start))
            totals = self.agent_time.setdefault(agent_id, [0.0, 0.0])
            if state in ("busy", "wrap-up"):
                totals[0] += seconds
            elif state == "available":
                totals[1] += seconds
            self.agent_state[agent_id] = (state, now)

    # -- results -----------------------------------------------------------------------

    def outcomes(self) -> list[ContactOutcome]:
        return [
            ContactOutcome(
                task_id,
                queue_id=c.queue_id,
                agent_id=c.agent_id,
                queued_at=c.arrived_at,
                answered_at=c.answered_at,
                abandoned_at=c.abandoned_at,
                callback_at=c.exited_at,
                talk_seconds=c.talk_seconds if c.answered_at is not None else 0.0,
            )
            for task_id, c in self.contacts.items()
            if c.measured
        ]


def simulate(scenario: Scenario, seed: int, *, keep_outcomes: bool = False) -> Replication:
    """Run one replication; the same (scenario, seed) always gives the same figures."""
    floor = _Floor(scenario, seed)
    floor.run()
    outcomes = floor.outcomes()
    # Answered within T / offered: Erlang C and Erlang A's definition (abandons are failures).
    level = ServiceLevel("genesys", scenario.target_seconds)
    by_stream = {
        name: level.compute(o for o in outcomes if floor.contacts[o.contact_id].stream.name == name)
        for name in floor.streams
    }
    times = [AgentTime(a, on, idle) for a, (on, idle) in floor.agent_time.items()]
    return Replication(
        seed=seed,
        service_level=level.compute(outcomes),
        asa=AverageSpeedOfAnswer().compute(outcomes),
        abandon_rate=AbandonRate().compute(outcomes),
        occupancy=Occupancy().compute(times),
        offered=len(outcomes),
        service_level_by_stream=by_stream,
        outcomes=tuple(outcomes) if keep_outcomes else (),
    )
