"""Decisions per second of the pure routing engine at 100, 1,000 and 10,000 agents.

A decision is one offer made: a freed agent picking the best waiting task (10,000 waiting,
50 skills, 50 queues) or an arriving task picking the best free agent. Run:
    .venv/bin/python bench/routing_engine.py
BENCH_GC=default runs with CPython's collector settings instead of the router process's.
BENCH_POLICY=pooling measures the pooling options instead of the five strategies: every queue
least_needed, and freed agents ranking by skill preference (2 s a level) and longest queue.
The last line printed is a JSON object with the figures.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contactcentre.platform.heap import settle_after_start
from routing import effects as fx
from routing import events as ev
from routing.config import PlanStep, Queue, RoutingConfig, RoutingPlan
from routing.engine import Engine

SKILLS = 50
WAITING = int(os.environ.get("BENCH_WAITING", "10000"))
CYCLES = int(os.environ.get("BENCH_CYCLES", "10000"))

GOAL_AT_1000 = 20_000.0
GOAL_RATIO = 0.5  # decisions/s at 10,000 agents over those at 100
POOLING = os.environ.get("BENCH_POLICY", "default") == "pooling"
STRATEGIES: tuple[str, ...] = (
    ("least_needed",)
    if POOLING
    else ("longest_idle", "most_skilled", "round_robin", "fewest_handled", "weighted_random")
)


def build(agents: int, rng: random.Random) -> tuple[Engine, list[list[str]]]:
    queues = [
        Queue(
            f"q{i}",
            expression=f"skills.s{i} >= 3",
            strategy=STRATEGIES[i % len(STRATEGIES)],
            skill=f"s{i}",
            offer_timeout_seconds=30,
        )
        for i in range(SKILLS)
    ]
    plans = [
        RoutingPlan(
            f"p{i}",
            filter=f'intent == "s{i}"',
            priority=SKILLS - i,
            steps=[PlanStep(f"q{i}")],
            max_wait_seconds=1e9,
        )
        for i in range(SKILLS)
    ]
    routing = RoutingConfig(queues=queues, plans=plans)
    if POOLING:
        routing = RoutingConfig(
            queues=queues, plans=plans, skill_preference_seconds=2.0, agent_choice="longest_queue"
        )
    engine = Engine(routing, seed=1)
    skills_of: list[list[str]] = []
    for n in range(agents):
        # Every agent has four skills; agent n always covers skill n % 50 so no queue is empty.
        names = {f"s{n % SKILLS}"} | {f"s{rng.randrange(SKILLS)}" for _ in range(3)}
        skills = {name: rng.randint(3, 10) for name in sorted(names)}
        skills_of.append(sorted(names))
        engine.apply(ev.AgentSignedIn(f"a{n}", skills, {"languages": ["en"]}), 0.0)
    return engine, skills_of


def accept_offers(engine: Engine, effects: list[fx.Effect], now: float) -> int:
    offers = [e for e in effects if isinstance(e, fx.OfferCreated)]
    for offer in offers:
        accept_offers(engine, engine.apply(ev.OfferAccepted(offer.reservation_id), now), now)
    return len(offers)


def waiting_count(engine: Engine) -> int:
    return sum(1 for task in engine.tasks.values() if task.status == "waiting")


class Rates:
    """Decisions over the time spent in the applies that made them, and over the whole loop."""

    def __init__(self) -> None:
        self.decisions = 0
        self.deciding = 0.0
        self.elapsed = 0.0

    def timed(self, engine: Engine, event: ev.Event, now: float) -> list[fx.Effect]:
        began = time.perf_counter()
        effects = engine.apply(event, now)
        self.deciding += time.perf_counter() - began
        self.decisions += sum(1 for e in effects if isinstance(e, fx.OfferCreated))
        return effects

    @property
    def decision_rate(self) -> float:
        return self.decisions / self.deciding

    @property
    def cycle_rate(self) -> float:
        return self.decisions / self.elapsed


def freed_agent_rates(agents: int) -> Rates:
    """Backlog of 10,000: complete a task, the freed agent takes the next; a new task arrives."""
    rng = random.Random(7)
    engine, skills_of = build(agents, rng)
    now, serial = 1.0, 0

    def submit() -> list[fx.Effect]:
        nonlocal serial
        serial += 1
        skill = rng.choice(skills_of[rng.randrange(agents)])
        return engine.apply(
            ev.TaskSubmitted(f"t{serial}", "voice", {"intent": skill}, priority=rng.randint(0, 3)),
            now,
        )

    while waiting_count(engine) < WAITING:
        for _ in range(500):
            accept_offers(engine, submit(), now)
    busy = [task for a in engine.agents.values() for task in a.tasks]
    rates = Rates()
    start = time.perf_counter()
    for _ in range(CYCLES):
        now += 0.01
        index = rng.randrange(len(busy))
        for effect in rates.timed(engine, ev.TaskCompleted(busy[index]), now):
            if isinstance(effect, fx.OfferCreated):
                engine.apply(ev.OfferAccepted(effect.reservation_id), now)
                busy[index] = effect.task_id
        accept_offers(engine, submit(), now)
    rates.elapsed = time.perf_counter() - start
    return rates


def arrival_rates(agents: int) -> Rates:
    """Free agents, no backlog: each arriving task picks an agent, who accepts and completes."""
    rng = random.Random(11)
    engine, skills_of = build(agents, rng)
    rates = Rates()
    start = time.perf_counter()
    for serial in range(CYCLES):
        now = 1.0 + serial * 0.01
        skill = rng.choice(skills_of[rng.randrange(agents)])
        submitted = ev.TaskSubmitted(f"t{serial}", "voice", {"intent": skill})
        for effect in rates.timed(engine, submitted, now):
            if isinstance(effect, fx.OfferCreated):
                engine.apply(ev.OfferAccepted(effect.reservation_id), now)
                engine.apply(ev.TaskCompleted(effect.task_id), now)
    rates.elapsed = time.perf_counter() - start
    return rates


def main() -> None:
    # The collector as the router process sets it at startup (CC_GC_FREEZE, on by default), so
    # this measures the engine as it runs there; BENCH_GC=default measures CPython's defaults.
    collector = os.environ.get("BENCH_GC", "router")
    if collector != "default":
        settle_after_start()
    figures: dict[str, float] = {}
    for agents in (100, 1_000, 10_000):
        freed, arriving = freed_agent_rates(agents), arrival_rates(agents)
        decisions = freed.decisions + arriving.decisions
        rate = decisions / (freed.deciding + arriving.deciding)
        cycle = decisions / (freed.elapsed + arriving.elapsed)
        figures[f"decisions_per_s_{agents}"] = round(rate)
        figures[f"agent_freed_per_s_{agents}"] = round(freed.decision_rate)
        figures[f"task_arrival_per_s_{agents}"] = round(arriving.decision_rate)
        figures[f"full_cycle_per_s_{agents}"] = round(cycle)
        print(
            f"{agents:>6,} agents: {rate:>8,.0f} decisions/s "
            f"(agent freed -> pick task {freed.decision_rate:,.0f}/s, "
            f"task arrives -> pick agent {arriving.decision_rate:,.0f}/s); "
            f"with accept/complete/arrival events around each: {cycle:,.0f}/s"
        )
    ratio = figures["decisions_per_s_10000"] / figures["decisions_per_s_100"]
    figures["ratio_10000_vs_100"] = round(ratio, 3)
    met = "met" if ratio >= GOAL_RATIO else "MISSED"
    print(f"ratio 10,000 / 100 agents: {ratio:.2f} (goal >= {GOAL_RATIO:.2f}: {met})")
    rate_1000 = figures["decisions_per_s_1000"]
    met = "met" if rate_1000 >= GOAL_AT_1000 else "MISSED"
    print(f"1,000 agents: {rate_1000:,} decisions/s (goal >= {GOAL_AT_1000:,.0f}: {met})")
    goals = {"goal_decisions_per_s_1000": GOAL_AT_1000, "goal_ratio_10000_vs_100": GOAL_RATIO}
    print(json.dumps({**figures, **goals, "collector": collector}))


if __name__ == "__main__":
    main()
