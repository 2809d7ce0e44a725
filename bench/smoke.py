"""Runs every benchmark once at a tiny size, so none rots: each must exit 0 and end on JSON.

CI runs it (`.ci/run`); no figure is judged here, the machine is shared and the sizes are toys.
The last line printed is JSON: each bench's status and seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_SECONDS = 300
# Each bench with the environment that makes it a toy (see each script's docstring).
TINY: dict[str, dict[str, str]] = {
    # bench/routing.py runs routing_engine.py, router.py and routing_pooling.py itself.
    "routing.py": {
        "BENCH_CYCLES": "200",
        "BENCH_WAITING": "500",
        "BENCH_SECONDS": "3",
        "BENCH_SEEDS": "1",
        "BENCH_HOURS": "0.25",
    },
    "ivr.py": {"BENCH_SECONDS": "3"},
    "dialer.py": {"BENCH_SEEDS": "1", "BENCH_HOURS": "0.1", "BENCH_SIZES": "20"},
    "screenpop.py": {"BENCH_SOCKETS": "20", "BENCH_SECONDS": "3", "BENCH_CLIENT_PROCESSES": "1"},
    "chat.py": {
        "BENCH_CUSTOMERS": "20",
        "BENCH_AGENTS": "5",
        "BENCH_SECONDS": "3",
        "BENCH_INTERVAL": "1",
        "BENCH_CLIENT_PROCESSES": "1",
    },
    "email_intake.py": {"BENCH_MESSAGES": "40", "BENCH_SENDERS": "2"},
    "reports.py": {
        "BENCH_DAYS": "2",
        "BENCH_PER_DAY": "200",
        "BENCH_SECONDS": "3",
        "BENCH_ROLLUP_EVERY": "1",
        "BENCH_REPORT_ROUNDS": "1",
    },
    "planning.py": {
        "BENCH_SEEDS": "1",
        "BENCH_WEEKS": "4",
        "BENCH_HELD_OUT": "1",
        "BENCH_MEAN_WEEKS": "2",
        "BENCH_CASES": "1",
        "BENCH_SIM_CONTACTS": "2000",
        "BENCH_REPLAY_CONTACTS": "300",
    },
    # Skips (exit 0, {"skipped": true, "why": ...}) without haproxy, PostgreSQL or Redis.
    "scaleout.py": {
        "BENCH_AGENTS": "6",
        "BENCH_CHAT_CUSTOMERS": "2",
        "BENCH_CALLS_PER_MINUTE": "10",
        "BENCH_CHAT_PER_SECOND": "2",
        "BENCH_SECONDS": "8",
        "BENCH_RESTART_SECONDS": "2",
        "BENCH_TALK_SECONDS": "2",
        "BENCH_DRAIN_SECONDS": "2",
        "BENCH_CLIENT_PROCESSES": "1",
    },
    # Two of its scenarios (the rest run in tests/integration/test_faults.py at a small size).
    "faults.py": {
        "BENCH_SCENARIOS": "router-load,web",
        "BENCH_SECONDS": "4",
        "BENCH_AGENTS": "3",
        "BENCH_TALK_SECONDS": "0.5",
        "BENCH_TIME_SCALE": "8",
        "BENCH_OUTAGE_SECONDS": "1",
        "BENCH_RECONCILE_SECONDS": "4",
    },
}


def run(script: str, env: dict[str, str]) -> dict[str, object]:
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / script)],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "why": f"still running after {TIMEOUT_SECONDS} s"}
    seconds = round(time.monotonic() - started, 1)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        return {"ok": False, "seconds": seconds, "why": f"exit {done.returncode}", "tail": tail}
    try:
        last = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        last = None
    if not isinstance(last, dict):
        return {"ok": False, "seconds": seconds, "why": "the last line is not a JSON object"}
    if last.get("skipped"):
        return {"ok": True, "seconds": seconds, "skipped": last.get("why")}
    return {"ok": True, "seconds": seconds}


def main() -> int:
    only = [s for s in os.environ.get("BENCH_SMOKE_ONLY", "").split(",") if s]
    missing = sorted(
        p.name
        for p in (ROOT / "bench").glob("*.py")
        if p.name not in TINY and p.name not in {"smoke.py", *PARTS_RUN_BY_ROUTING, *HELPERS}
    )
    results: dict[str, object] = {}
    for script, env in TINY.items():
        if only and script not in only:
            continue
        print(f"== {script}", flush=True)
        results[script] = outcome = run(script, env)
        print(json.dumps(outcome), flush=True)
    failed = [name for name, r in results.items() if not r["ok"]]  # type: ignore[index]
    if missing:
        print(f"benches with no smoke size here: {', '.join(missing)}")
    print(json.dumps({"smoke": results, "failed": failed, "unlisted": missing}))
    return 1 if failed or missing else 0


# Run by bench/routing.py as its parts, and modules of shared code rather than benches.
PARTS_RUN_BY_ROUTING = {"routing_engine.py", "router.py", "routing_pooling.py"}
HELPERS = {
    "common.py",
    "_support.py",
    "support.py",
    "scaleout_clients.py",
    "scaleout_parts.py",
    "faults_agents.py",
    "faults_audit.py",
    "faults_load.py",
    "faults_mail.py",
    "faults_platform.py",
    "faults_run.py",
    "faults_scenarios.py",
}

if __name__ == "__main__":
    raise SystemExit(main())
