"""Skills pooling: how much of full cross-training's service-level gain chained skills capture.

6 queues, 66 agents (11 per queue), 91% load, AHT 180 s exponential, SL = answered within 20 s /
offered. Agents of queue i have primary skill i (level 10) and secondary skill i+1 mod 6
(level 5), a chain (Wallace & Whitt 2005). The same callers (common random numbers per seed)
meet each routing config, all run by the real engine through routing.simulation:

  separate  each agent serves only the primary queue                         (a)
  full      every agent serves every queue                                   (b)
  naive     chain, longest idle agent, FIFO                                  (c, the issue's 0.77)
  ours      chain, most skilled agent (primary first), and a plan step: after
            T = 20 s a caller has missed the target, so it yields one priority
            point (= 60 s of age) to callers who can still make it; the plan's
            max wait still bounds every caller.

Printed: SL per config with 95% CIs, captured = (c - a) / (b - a), and the like-for-like
figure that gives (a) and (b) our same priority step, so the gain of the step itself (which
raises SL in any pool) is not counted as pooling. Run: .venv/bin/python bench/routing_pooling.py
The last line printed is a JSON object with the figures.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing.config import PlanStep, Queue, RoutingConfig, RoutingPlan
from routing.simulation import (
    AgentGroup,
    ContactStream,
    HandleTime,
    Scenario,
    Summary,
    estimate,
    replicate,
)

QUEUES = 6
AGENTS_PER_QUEUE = 11
LOAD = 0.91
AHT = 180.0
TARGET = 20.0
SEEDS = range(1, 11)
MEASURE_HOURS = 8.0
LONG_WAIT = 120.0

Expression = Callable[[int], str]


def separate(i: int) -> str:
    return f"skills.q{i} >= 10"


def chained(i: int) -> str:
    return f"skills.q{i} >= 1"


def everyone(i: int) -> str:
    return ""


def fifo(i: int) -> list[PlanStep]:
    return [PlanStep(f"q{i}")]


def target_aware(i: int) -> list[PlanStep]:
    # Past the target the caller has missed SL either way; one priority point is worth 60 s
    # of age (priority_aging_seconds), so fresh callers who can still make it go first.
    return [PlanStep(f"q{i}", timeout_seconds=TARGET), PlanStep(f"q{i}", priority_change=-1)]


def config(
    eligible: Expression, strategy: str, steps: Callable[[int], list[PlanStep]]
) -> RoutingConfig:
    queues = [
        Queue(f"q{i}", expression=eligible(i), strategy=strategy, skill=f"q{i}")
        for i in range(QUEUES)
    ]
    plans = [
        RoutingPlan(f"p{i}", filter=f'queue == "q{i}"', steps=steps(i), max_wait_seconds=3600)
        for i in range(QUEUES)
    ]
    return RoutingConfig(queues, plans, priority_aging_seconds=60.0)


def scenario(routing: RoutingConfig) -> Scenario:
    per_hour = AGENTS_PER_QUEUE * LOAD / AHT * 3600.0
    streams = [
        ContactStream(f"s{i}", per_hour, HandleTime(AHT), attributes={"queue": f"q{i}"})
        for i in range(QUEUES)
    ]
    agents = [
        AgentGroup(f"a{i}", AGENTS_PER_QUEUE, {f"q{i}": 10, f"q{(i + 1) % QUEUES}": 5})
        for i in range(QUEUES)
    ]
    return Scenario(
        routing,
        streams,
        agents,
        target_seconds=TARGET,
        warm_up_seconds=1800.0,
        measure_seconds=MEASURE_HOURS * 3600.0,
    )


CONFIGS = {
    "separate": config(separate, "longest_idle", fifo),
    "full": config(everyone, "longest_idle", fifo),
    "naive": config(chained, "longest_idle", fifo),
    "ours": config(chained, "most_skilled", target_aware),
    "separate_same_policy": config(separate, "most_skilled", target_aware),
    "full_same_policy": config(everyone, "most_skilled", target_aware),
}


def levels(summary: Summary) -> list[float]:
    return [r.service_level or 0.0 for r in summary.replications]


def captured(a: Summary, b: Summary, c: Summary) -> tuple[float, float | None]:
    """(c - a) / (b - a) on the means, and the 95% CI half-width of the per-seed ratios."""
    la, lb, lc = levels(a), levels(b), levels(c)
    ratio = (statistics.fmean(lc) - statistics.fmean(la)) / (
        statistics.fmean(lb) - statistics.fmean(la)
    )
    paired = estimate((z - x) / (y - x) for x, y, z in zip(la, lb, lc, strict=True))
    return ratio, None if paired is None else paired.half_width


def long_wait_share(seed: int, routing: RoutingConfig) -> float:
    from routing.simulation import simulate

    outcomes = simulate(scenario(routing), seed, keep_outcomes=True).outcomes
    waits = [o.waited() or 0.0 for o in outcomes]
    return sum(w > LONG_WAIT for w in waits) / len(waits)


def main() -> None:
    started = time.perf_counter()
    results: dict[str, Summary] = {}
    for name, routing in CONFIGS.items():
        results[name] = summary = replicate(scenario(routing), SEEDS)
        print(f"{name:22s} SL {summary.service_level}  ASA {summary.asa}")
    figures: dict[str, float | None] = {}
    for name, summary in results.items():
        sl, asa = summary.service_level, summary.asa
        figures[f"sl_{name}"] = None if sl is None else round(sl.mean, 4)
        figures[f"sl_{name}_ci95"] = None if sl is None else round(sl.half_width, 4)
        figures[f"asa_{name}"] = None if asa is None else round(asa.mean, 2)
    a, b = results["separate"], results["full"]
    for name in ("naive", "ours"):
        ratio, half = captured(a, b, results[name])
        figures[f"captured_{name}"] = round(ratio, 3)
        figures[f"captured_{name}_ci95"] = None if half is None else round(half, 3)
        print(f"captured by {name}: {ratio:.3f} ± {half or 0:.3f} of full pooling's SL gain")
    same, _ = captured(
        results["separate_same_policy"], results["full_same_policy"], results["ours"]
    )
    figures["captured_ours_like_for_like"] = round(same, 3)
    print(f"captured by ours, like for like (a, b with our priority step too): {same:.3f}")
    for name in ("naive", "ours"):
        share = long_wait_share(SEEDS[0], CONFIGS[name])
        figures[f"over_{LONG_WAIT:g}s_{name}"] = round(share, 4)
        print(f"{name}: share of callers waiting over {LONG_WAIT:g} s (seed 1): {share:.4f}")
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["replications"] = len(SEEDS)
    figures["measured_hours_each"] = MEASURE_HOURS
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
