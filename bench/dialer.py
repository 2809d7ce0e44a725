"""Predictive dialer: talk occupancy against its ceiling, within the abandon limit.

Simulated outbound campaigns (routing/dialer/simulation, its docstring has every distribution
and why) of 20, 50 and 100 agents for 8 hours, several seeds, each seed's called parties the
same for every pacer (common random numbers), three pacers in the same run:

  ours         the real predictive pacer (routing.dialer.pacer.decide) with its abandon
               throttle, slow feedback loop and model re-estimated from the floor's history
  progressive  decide() in progressive mode: one call per free agent
  vicidial     VICIdial's adaptive dial level (routing.dialer.adaptive), ADAPT_HARD_LIMIT,
               its defaults: maximum level 3.0, intensity 0, drop limit 3%

Figures per run: talk occupancy (seconds talking with people / agent seconds signed in) over
its ceiling T / (T + W) (the run's mean talk and wrap-up), abandon rate (abandoned / live
answers, the FCC's measure) and the worst 30-minute window of it (sliding by a minute).
Goal (issue 18): ours >= 0.92 / 0.95 / 0.97 of the ceiling at 20 / 50 / 100 agents, abandon
<= 3% over each run and no 30-minute window above 5%, above the VICIdial-style baseline at
every size at equal or lower abandon.

The last line is one JSON object: ceiling_ratio_20, ceiling_ratio_50, ceiling_ratio_100 (ours,
mean over seeds), abandon_max and worst_window_max (ours, highest over sizes and seeds),
margin_vs_adaptive_min (ours minus vicidial, mean ratios, lowest over sizes), the baselines'
figures, which goals were met, and live_connect_p99_ms, live_connect_over_2s and
live_abandon_mismatch as null: they are for the live run through the emulator, which needs the
dialer process (not built yet).

Settings (environment): BENCH_SEEDS (5), BENCH_HOURS (8), BENCH_SIZES ("20,50,100"),
BENCH_CPS (5: the account's calls per second, shared by the campaign), BENCH_PROCESSES (1:
runs in parallel; the machine is shared, so one by default).
Run: .venv/bin/python bench/dialer.py
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing.dialer.simulation import (
    AdaptivePacer,
    ModelPacer,
    OutboundScenario,
    ProgressivePacer,
    RunResult,
    simulate,
)

SEEDS = range(1, 1 + int(os.environ.get("BENCH_SEEDS", "5")))
HOURS = float(os.environ.get("BENCH_HOURS", "8"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "20,50,100").split(",") if s]
CPS = float(os.environ.get("BENCH_CPS", "5"))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "1"))
PACERS = ("ours", "progressive", "vicidial")
GOAL_RATIO = {20: 0.92, 50: 0.95, 100: 0.97}
GOAL_ABANDON, GOAL_WINDOW = 0.03, 0.05


def run(job: tuple[str, int, int]) -> RunResult:
    pacer_name, agents, seed = job
    pacer = {"ours": ModelPacer, "progressive": ProgressivePacer, "vicidial": AdaptivePacer}
    scenario = OutboundScenario(agents=agents, hours=HOURS, calls_per_second=CPS)
    return simulate(scenario, pacer[pacer_name](), seed)


def mean(results: list[RunResult], field: str) -> float:
    return statistics.fmean(getattr(r, field) for r in results)


def main() -> None:
    started = time.perf_counter()
    results: list[RunResult] = []
    by: dict[tuple[str, int], list[RunResult]] = {}
    figures: dict[str, object] = {}
    for agents in SIZES:  # one size at a time, so its line is printed as soon as it is done
        jobs = [(p, agents, s) for s in SEEDS for p in PACERS]
        if PROCESSES > 1:
            with ProcessPoolExecutor(PROCESSES) as pool:
                done = list(pool.map(run, jobs))
        else:
            done = [run(job) for job in jobs]
        results += done
        for result in done:
            by.setdefault((result.pacer, result.agents), []).append(result)
        parts = []
        for name in PACERS:
            runs = by[(name, agents)]
            ratio, abandon = mean(runs, "ceiling_ratio"), mean(runs, "abandon_rate")
            worst = max(r.worst_window for r in runs)
            parts.append(f"{name} {ratio:.3f} ab {abandon:.2%} worst {worst:.2%}")
            key = "" if name == "ours" else f"{name}_"
            figures[f"{key}ceiling_ratio_{agents}"] = round(ratio, 4)
            figures[f"{key}ceiling_ratio_{agents}_by_seed"] = [
                round(r.ceiling_ratio, 4) for r in runs
            ]
            figures[f"{key}abandon_{agents}"] = round(abandon, 4)
            figures[f"{key}abandon_{agents}_max"] = round(max(r.abandon_rate for r in runs), 4)
            figures[f"{key}worst_window_{agents}"] = round(worst, 4)
            figures[f"{key}talk_occupancy_{agents}"] = round(mean(runs, "talk_occupancy"), 4)
        ceiling = mean(by[("ours", agents)], "ceiling")
        print(f"{agents:>3} agents (ceiling {ceiling:.3f}): " + " | ".join(parts), flush=True)
    ours = [r for r in results if r.pacer == "ours"]
    margins = {
        a: figures[f"ceiling_ratio_{a}"] - figures[f"vicidial_ceiling_ratio_{a}"]  # type: ignore[operator]
        for a in SIZES
    }
    figures["abandon_max"] = round(max(r.abandon_rate for r in ours), 4)
    figures["worst_window_max"] = round(max(r.worst_window for r in ours), 4)
    figures["margin_vs_adaptive_min"] = round(min(margins.values()), 4)
    goals: dict[str, bool] = {}
    for a in SIZES:
        if a in GOAL_RATIO:
            goals[f"ratio_{a}_at_least_{GOAL_RATIO[a]}"] = (
                figures[f"ceiling_ratio_{a}"] >= GOAL_RATIO[a]  # type: ignore[operator]
            )
        goals[f"above_vicidial_at_{a}_at_equal_or_lower_abandon"] = bool(
            margins[a] > 0 and figures[f"abandon_{a}"] <= figures[f"vicidial_abandon_{a}"]  # type: ignore[operator]
        )
    goals["abandon_at_most_3_percent_every_run"] = figures["abandon_max"] <= GOAL_ABANDON  # type: ignore[operator]
    goals["no_30_minute_window_above_5_percent"] = figures["worst_window_max"] <= GOAL_WINDOW  # type: ignore[operator]
    figures["goals"] = goals
    figures["live_connect_p99_ms"] = None
    figures["live_connect_over_2s"] = None
    figures["live_abandon_mismatch"] = None
    figures["live"] = "not run: the dialer process does not exist yet"
    figures["seeds"] = len(SEEDS)
    figures["hours"] = HOURS
    figures["calls_per_second"] = CPS
    figures["machine"] = (
        f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    figures["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
