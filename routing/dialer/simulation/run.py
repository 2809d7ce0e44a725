"""One simulated campaign day: called parties, carrier and agents around a real pacer.

A heap of timed events (ties broken by insertion order) and a pacing tick every second. The
pacer only sees what a dialer process would: its agents' states and ages, the calls in flight
and their ages, live answers waiting, the budget; this loop plays everyone else. Each call's
fate is drawn when it is placed, from its own random stream, so every pacer meets the same
called parties in the same order (common random numbers): differences are the pacers'.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from dataclasses import dataclass

from routing.dialer.budget import CallsPerSecondBudget
from routing.dialer.model import AttemptTiming
from routing.dialer.pacer import AgentState, AgentView, CallView
from routing.dialer.simulation.pacers import FloorView, Pacer
from routing.dialer.simulation.results import RunResult, summarise
from routing.dialer.simulation.scenario import OutboundScenario

# Event kinds.
TICK, SETTLE, GREETING_HANG_UP, CONNECT, GIVE_UP, TALK_END, WRAP_END = range(7)
HUMAN, MACHINE, BUSY, FAILED, NO_ANSWER = range(5)


@dataclass
class _Call:
    placed_at: float
    kind: int  # what answered, the truth
    settle_at: float  # when it stops ringing: the AMD verdict, or the end of the attempt
    live: bool  # AMD's verdict (or no AMD) says a person: it needs an agent
    greeting_end: float = 0.0
    patience_end: float = 0.0
    bridge: float = 0.0
    talk: float = 0.0
    agent: int | None = None
    abandoned: bool = False
    resolved: bool = False


class _Agent:
    __slots__ = ("call", "since", "state")

    def __init__(self) -> None:
        self.state = AgentState.IDLE
        self.since = 0.0
        self.call: int | None = None


class _Floor:
    def __init__(self, scenario: OutboundScenario, pacer: Pacer, seed: int) -> None:
        self.s = scenario
        self.pacer = pacer
        # One stream for the called parties, one for the agents: equal for every pacer.
        self.people = random.Random(f"{seed}:people")  # noqa: S311 - simulation, seeded
        self.staff = random.Random(f"{seed}:agents")  # noqa: S311
        self.heap: list[tuple[float, int, int, int]] = []
        self.seq = 0
        self.now = 0.0
        self.calls: dict[int, _Call] = {}
        self.agents = [_Agent() for _ in range(scenario.agents)]
        self.idle: deque[int] = deque(range(scenario.agents))
        self.in_flight: dict[int, float] = {}  # call -> placed at
        self.waiting: deque[int] = deque()
        self.budget = CallsPerSecondBudget.full(scenario.calls_per_second, at=0.0)
        self.timings: deque[AttemptTiming] = deque(maxlen=3000)
        self.talks: deque[float] = deque(maxlen=500)
        self.wraps: deque[float] = deque(maxlen=500)
        self.dials: list[float] = []
        self.talk_seconds = 0.0
        self.talk_done: list[float] = []
        self.wrap_done: list[float] = []
        self.false_positives = 0  # people AMD hung up on: abandoned under Ofcom's rule
        self.live_times: list[float] = []  # when each live answer was resolved
        self.abandoned_before: list[int] = [0]  # abandons among the first n live answers

    def push(self, at: float, kind: int, ref: int) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, ref))

    def run(self) -> None:
        end = self.s.seconds
        handlers = {
            SETTLE: self.settle,
            GREETING_HANG_UP: self.greeting_hang_up,
            CONNECT: self.connect,
            GIVE_UP: self.give_up,
            TALK_END: self.talk_end,
            WRAP_END: self.wrap_end,
        }
        self.push(0.0, TICK, 0)
        while self.heap:
            at, _, kind, ref = heapq.heappop(self.heap)
            if at > end:
                break
            self.now = at
            if kind == TICK:
                self.tick()
                if at + 1.0 <= end:
                    self.push(at + 1.0, TICK, 0)
            else:
                handlers[kind](ref)
        for agent in self.agents:  # talk still going at the end counts up to the end
            if agent.state is AgentState.TALKING and agent.call is not None:
                call = self.calls[agent.call]
                if call.kind == HUMAN:
                    self.talk_seconds += max(0.0, end - agent.since)

    # -- the pacer ---------------------------------------------------------------------

    def tick(self) -> None:
        view = FloorView(self)
        calls = min(self.pacer.calls(view), self.budget.available(self.now))
        if calls > 0:
            self.budget = self.budget.take(calls, self.now)
        for _ in range(calls):
            self.place()

    def agent_views(self) -> tuple[AgentView, ...]:
        now = self.now
        return tuple(AgentView(a.state, now - a.since) for a in self.agents)

    def call_views(self) -> tuple[CallView, ...]:
        now = self.now
        return tuple(CallView(now - placed) for placed in self.in_flight.values())

    # -- calls -------------------------------------------------------------------------

    def place(self) -> None:
        s, rng, now = self.s, self.people, self.now
        number = len(self.calls)
        # Draw everything in a fixed order whatever the outcome (common random numbers).
        u = rng.random()
        pdd = s.post_dial_delay.sample(rng)
        human_ring, machine_ring = s.human_ring.sample(rng), s.machine_ring.sample(rng)
        greeting = s.greeting.sample(rng)
        in_greeting, cut, amd_error = rng.random(), rng.random(), rng.random()
        amd_human, amd_machine = s.amd_human_delay.sample(rng), s.amd_machine_delay.sample(rng)
        patience, bridge = s.silence_patience.sample(rng), s.bridge.sample(rng)
        talk, busy_after, fail_after = s.talk.sample(rng), rng.uniform(0.5, 2), rng.uniform(0.5, 4)
        if u < s.live:
            answered = now + pdd + human_ring
            call = _Call(now, HUMAN, 0.0, True, greeting_end=answered + greeting)
            call.patience_end = call.greeting_end + patience
            call.bridge, call.talk = bridge, talk
            if in_greeting < s.hang_up_in_greeting:
                call.settle_at = answered + greeting * cut
                call.greeting_end = 0.0
                self._new(number, call, GREETING_HANG_UP)
                return
            call.live = amd_error >= s.amd_false_positive
            self.false_positives += not call.live
            call.settle_at = call.greeting_end + (amd_human if call.live else amd_machine)
        elif u < s.live + s.machine:
            answered = now + pdd + machine_ring
            call = _Call(now, MACHINE, 0.0, amd_error < s.amd_false_negative)
            call.settle_at = answered + (amd_human + 0.5 if call.live else amd_machine)
            call.greeting_end = call.settle_at - amd_human  # the system thinks so, for a FN
            call.patience_end = call.greeting_end + 60.0  # a machine waits
            call.bridge, call.talk = bridge, s.machine_with_agent_seconds
        elif u < s.live + s.machine + s.busy:
            call = _Call(now, BUSY, now + pdd + busy_after, False)
        elif u < s.live + s.machine + s.busy + s.failed:
            call = _Call(now, FAILED, now + fail_after, False)
        else:
            call = _Call(now, NO_ANSWER, now + pdd + s.ring_timeout, False)
        self._new(number, call, SETTLE)

    def _new(self, number: int, call: _Call, kind: int) -> None:
        self.calls[number] = call
        self.in_flight[number] = call.placed_at
        self.dials.append(call.placed_at)
        self.push(call.settle_at, kind, number)

    def _settled(self, number: int, call: _Call) -> None:
        del self.in_flight[number]
        age = self.now - call.placed_at
        self.timings.append(AttemptTiming(age if call.live else None, age))

    def settle(self, number: int) -> None:
        call = self.calls[number]
        self._settled(number, call)
        if not call.live:
            return  # a machine (or a person AMD took for one), busy, failed, no answer
        if self.idle:
            self.assign(number, self.idle.popleft())
            return
        self.waiting.append(number)
        # The last moment an agent freeing could still be connected within the limit.
        deadline = min(call.greeting_end + self.s.connect_seconds - call.bridge, call.patience_end)
        self.push(max(self.now, deadline), GIVE_UP, number)

    def greeting_hang_up(self, number: int) -> None:
        call = self.calls[number]
        call.live = False  # it never needed an agent, but it is a live answer without one
        self._settled(number, call)
        self.resolve(call, abandoned=True)

    def assign(self, number: int, agent_id: int) -> None:
        call = self.calls[number]
        agent = self.agents[agent_id]
        agent.state, agent.since, agent.call = AgentState.RESERVED, self.now, number
        call.agent = agent_id
        self.push(self.now + call.bridge, CONNECT, number)

    def connect(self, number: int) -> None:
        call = self.calls[number]
        assert call.agent is not None
        agent = self.agents[call.agent]
        if self.now > call.patience_end:  # they hung up on the silence first
            self.resolve(call, abandoned=True)
            self.become_idle(call.agent)
            return
        agent.state, agent.since = AgentState.TALKING, self.now
        self.resolve(call, abandoned=self.now - call.greeting_end > self.s.connect_seconds)
        self.push(self.now + call.talk, TALK_END, call.agent)

    def give_up(self, number: int) -> None:
        call = self.calls[number]
        if call.resolved or call.agent is not None:
            return
        self.waiting.remove(number)
        self.resolve(call, abandoned=True)  # safe-harbour message, then the call ends

    def resolve(self, call: _Call, *, abandoned: bool) -> None:
        call.resolved, call.abandoned = True, abandoned
        self.live_times.append(self.now)
        self.abandoned_before.append(self.abandoned_before[-1] + abandoned)

    # -- agents ------------------------------------------------------------------------

    def talk_end(self, agent_id: int) -> None:
        agent = self.agents[agent_id]
        assert agent.call is not None
        call = self.calls[agent.call]
        if call.kind != HUMAN:  # a machine AMD missed: the agent hangs up, no wrap-up
            self.become_idle(agent_id)
            return
        talked = self.now - agent.since
        self.talk_seconds += talked
        self.talks.append(talked)
        self.talk_done.append(talked)
        agent.state, agent.since = AgentState.WRAP_UP, self.now
        self.push(self.now + self.s.wrap_up.sample(self.staff), WRAP_END, agent_id)

    def wrap_end(self, agent_id: int) -> None:
        wrapped = self.now - self.agents[agent_id].since
        self.wraps.append(wrapped)
        self.wrap_done.append(wrapped)
        self.become_idle(agent_id)

    def become_idle(self, agent_id: int) -> None:
        agent = self.agents[agent_id]
        agent.state, agent.since, agent.call = AgentState.IDLE, self.now, None
        while self.waiting:
            number = self.waiting.popleft()
            call = self.calls[number]
            if not call.resolved:
                self.assign(number, agent_id)
                return
        self.idle.append(agent_id)


def simulate(scenario: OutboundScenario, pacer: Pacer, seed: int) -> RunResult:
    """One seeded day of `scenario` paced by `pacer`; the same arguments, the same result."""
    floor = _Floor(scenario, pacer, seed)
    floor.run()
    return summarise(
        pacer=pacer.name,
        seed=seed,
        agents=scenario.agents,
        seconds=scenario.seconds,
        talk_seconds=floor.talk_seconds,
        talks=floor.talk_done,
        wraps=floor.wrap_done,
        dials=len(floor.dials),
        live_times=floor.live_times,
        abandoned_before=floor.abandoned_before,
        false_positives=floor.false_positives,
    )
