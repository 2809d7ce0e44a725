"""The ACD routing benchmarks, run together: engine decisions, router end to end, skills pooling.

Each part is its own script, run here as its own process so that one part's threads, embedded
Valkey or garbage cannot skew another's timing:

  engine    bench/routing_engine.py   decisions/s at 100, 1,000 and 10,000 agents
  router    bench/router.py           command appended -> offer published, p50/p99, vs a Redis RTT
  pooling   bench/routing_pooling.py  share of full pooling's SL gain a chain captures

Their own output is passed through; the last line printed is one JSON object holding every
part's figures under its name, and a `goals` object saying which of the issue's goals were met.
Run: .venv/bin/python bench/routing.py   (BENCH_ONLY=engine,router to run some parts; each
part's own settings, e.g. BENCH_SEEDS or BENCH_SECONDS, pass through)
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARTS = {
    "engine": "routing_engine.py",
    "router": "router.py",
    "pooling": "routing_pooling.py",
}


def run(script: str) -> dict[str, Any]:
    """Run one part, echo its output as it comes, and return its last line's JSON object."""
    last = ""
    with subprocess.Popen(
        [sys.executable, str(HERE / script)],
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    ) as part:
        assert part.stdout is not None
        for line in part.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if line.strip():
                last = line
    if part.returncode != 0:
        raise SystemExit(f"bench/{script} failed with exit status {part.returncode}")
    figures = json.loads(last)
    if not isinstance(figures, dict):
        raise SystemExit(f"bench/{script} did not end with a JSON object")
    return figures


def goals(results: dict[str, dict[str, Any]]) -> dict[str, bool]:
    """The issue's goals, for the parts that ran."""
    met: dict[str, bool] = {}
    if "engine" in results:
        engine = results["engine"]
        met["engine_20000_per_s_at_1000_agents"] = (
            engine["decisions_per_s_1000"] >= engine["goal_decisions_per_s_1000"]
        )
        met["engine_10000_agents_at_least_half_of_100"] = (
            engine["ratio_10000_vs_100"] >= engine["goal_ratio_10000_vs_100"]
        )
    if "router" in results:
        router = results["router"]
        met["router_p99_at_most_20_ms"] = router["p99_ms"] <= router["goal_p99_ms"]
        met["router_timer_lateness_at_most_100_ms"] = (
            router["timer_lateness_max_ms"] <= router["goal_timer_lateness_ms"]
        )
    if "pooling" in results:
        met["pooling_captures_at_least_0_85"] = bool(results["pooling"]["goal_met"])
    return met


def main() -> None:
    chosen = os.environ.get("BENCH_ONLY", ",".join(PARTS)).split(",")
    unknown = [name for name in chosen if name not in PARTS]
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown part(s) {unknown}; choose from {list(PARTS)}")
    started = time.perf_counter()
    results: dict[str, dict[str, Any]] = {}
    for name in chosen:
        print(f"== {name} (bench/{PARTS[name]})", flush=True)
        results[name] = run(PARTS[name])
    met = goals(results)
    print("== goals")
    for goal, ok in met.items():
        print(f"{goal}: {'met' if ok else 'MISSED'}")
    summary: dict[str, Any] = {
        **results,
        "goals": met,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
