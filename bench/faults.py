"""The fault suite: real processes killed and restarted under load, then an audit of what it cost.

The Procfile's processes (the gunicorn web process, two routers: a leader and its hot standby,
the RQ worker with its scheduler, the mail process on a free loopback SMTP port) run on a
private Valkey and SQLite; the Twilio emulator (in
this process) places callers into the IVR and queue; a supervisor's integration submits API
tasks (email); BENCH_AGENTS agent consoles (python-socketio, resuming as the browser does)
accept every offer, hang calls up and complete tasks; every offer's screen pop goes to a CRM
endpoint through a worker job. Each scenario runs the load for BENCH_SECONDS, strikes a third
of the way in, keeps the load going, drains, and audits the SQL event log, the router's outbox,
the carrier's calls, the consoles and RQ (bench/faults_audit.py says exactly what is counted):

  router-idle          kill -9 of the leader router on an idle platform, then the load
  router-load          kill -9 of the leader router under load
  router-mid-delivery  kill -9 of the router whose agent-leg request the carrier holds
  worker               kill -9 of the worker (and its work horse) mid-job, started again
  web                  kill -9 of the web process as the carrier makes an agent leg (its
                       conference callbacks find no web process), started again
  redis                Valkey stopped and started again on its port with its data
  postgres             a private PostgreSQL cluster (Debian's binaries) stopped in immediate
                       mode and started again; the run then uses it as its database
  websocket            agents' TCP connections reset while an offer rings, and on a call
  mail                 kill -9 of the mail process while a sender's DATA is half sent (held
                       there), started again; this scenario's load also delivers email over
                       SMTP (bench/faults_mail.py: senders resend what got no 250, as a mail
                       server does), and the audit checks every message answered 250 stored
                       once and made into one task, offered once and completed

Each reports lost, duplicated, double_offered, stuck_calls (all must be 0) and recovery_s
(fault -> the first offer reaching a console for a contact that arrived after the fault; for
the worker, its first job after the restart; for the websocket, the slowest resume; for mail,
the first message answered 250 after the restart).

Variables: BENCH_SCENARIOS (comma-separated names, default all), BENCH_SECONDS (load per
scenario, default 30), BENCH_AGENTS (8), BENCH_CALLS_PER_MINUTE (30), BENCH_TASKS_PER_SECOND
(2), BENCH_EMAILS_PER_SECOND (over SMTP, in the mail scenario, 1), BENCH_TALK_SECONDS (2),
BENCH_OUTAGE_SECONDS (a killed process is started again after, 2), BENCH_DRAIN_SECONDS (at
most, 90), BENCH_TIME_SCALE (the emulator's, 4), BENCH_RECONCILE_SECONDS (the platform's
CC_VOICE_RECONCILE_SECONDS, 20), BENCH_KEEP=1 keeps the run's directory (every process's
log). The postgres scenario skips, saying why, without /usr/lib/postgresql/*/bin. The dialer
process of issue 17 does not exist yet: the JSON says so under "not_built". The last line
printed is JSON.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chat import machine_cpu, machine_share  # noqa: E402 - after the path insert
from bench.faults_platform import postgres_binaries  # noqa: E402
from bench.faults_run import Run, Sizes  # noqa: E402
from bench.faults_scenarios import NOT_BUILT, SCENARIOS, Skip  # noqa: E402

ZERO_KEYS = ("lost", "duplicated", "double_offered", "stuck_calls")


def sizes_from_environment() -> Sizes:
    def number(name: str, default: float) -> float:
        return float(os.environ.get(name, default))

    return Sizes(
        seconds=number("BENCH_SECONDS", 30),
        agents=int(number("BENCH_AGENTS", 8)),
        calls_per_minute=number("BENCH_CALLS_PER_MINUTE", 30),
        tasks_per_second=number("BENCH_TASKS_PER_SECOND", 2),
        emails_per_second=number("BENCH_EMAILS_PER_SECOND", 1),
        talk_seconds=number("BENCH_TALK_SECONDS", 2),
        outage_seconds=number("BENCH_OUTAGE_SECONDS", 2),
        drain_seconds=number("BENCH_DRAIN_SECONDS", 90),
        time_scale=number("BENCH_TIME_SCALE", 4),
        reconcile_seconds=number("BENCH_RECONCILE_SECONDS", 20),
    )


def run_scenarios(names: list[str], sizes: Sizes, work: Path) -> dict[str, dict[str, Any]]:
    """Every scenario but postgres on one platform (SQLite); postgres on one of its own."""
    results: dict[str, dict[str, Any]] = {}
    shared = [n for n in names if n != "postgres"]
    if shared:
        with Run(work / "shared", sizes) as run:
            print(f"platform up: {', '.join(sorted(run.platform.parts))}", flush=True)
            for name in shared:
                results[name] = _one(run, name)
    if "postgres" in names:
        if postgres_binaries() is None:
            results["postgres"] = _skipped("no PostgreSQL server binaries in /usr/lib/postgresql")
        else:
            with Run(work / "postgres", sizes, postgres=True) as run:
                results["postgres"] = _one(run, "postgres")
    return results


def _one(run: Run, name: str) -> dict[str, Any]:
    scenario = SCENARIOS[name]
    print(f"== {name}", flush=True)
    try:
        result = run.scenario(
            name, scenario.inject, before_load=scenario.before_load, email=scenario.email
        )
    except Skip as why:
        result = _skipped(str(why))
    print(line(result), flush=True)
    return result


def _skipped(why: str) -> dict[str, Any]:
    return {"skipped": True, "why": why}


def line(result: dict[str, Any]) -> str:
    if result.get("skipped"):
        return f"   skipped: {result['why']}"
    zeros = ", ".join(f"{k} {result[k]}" for k in ZERO_KEYS)
    return (
        f"   {zeros}; recovery {result['recovery_s']} s; {result['tasks']} tasks, "
        f"{result['calls']} calls, {result['emails']} emails, {result['offers']} offers; "
        f"drained in {result['drained_s']} s"
        f"; fault {result['fault']}"
    )


def summary(
    results: dict[str, dict[str, Any]], sizes: Sizes, machine: dict[str, Any]
) -> dict[str, Any]:
    ran = {n: r for n, r in results.items() if not r.get("skipped")}
    recoveries = [r["recovery_s"] for r in ran.values() if r.get("recovery_s") is not None]
    figures: dict[str, Any] = {
        "bench": "faults",
        **{key: sum(int(r[key]) for r in ran.values()) for key in ZERO_KEYS},
        "recovery_max_s": max(recoveries) if recoveries else None,
        "scenarios": results,
        "not_built": NOT_BUILT,
        "sizes": sizes.__dict__,
        "machine_busy_percent": machine.get("busy"),
        "machine_steal_percent": machine.get("steal"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    figures["all_zero"] = all(figures[key] == 0 for key in ZERO_KEYS)
    return figures


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a CI timeout unwinds: no orphans
    names = [n for n in os.environ.get("BENCH_SCENARIOS", "").split(",") if n] or list(SCENARIOS)
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        print(f"unknown scenarios {unknown}; known: {', '.join(SCENARIOS)}", file=sys.stderr)
        return 2
    sizes = sizes_from_environment()
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    started = time.monotonic()
    cpu = machine_cpu()
    try:
        results = run_scenarios(names, sizes, work)
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"run directory kept: {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    figures = summary(results, sizes, machine_share(cpu, machine_cpu()))
    figures["seconds"] = round(time.monotonic() - started, 1)
    print(
        f"faults: {', '.join(f'{k} {figures[k]}' for k in ZERO_KEYS)} (goal 0: "
        f"{'met' if figures['all_zero'] else 'NOT met'}); "
        f"recovery max {figures['recovery_max_s']} s",
        flush=True,
    )
    print(json.dumps(figures, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
