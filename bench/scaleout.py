"""Scale-out on real parts: two web processes behind HAProxy, one killed with SIGKILL mid-run.

The topology of docs/deployment.md on one machine: HAProxy (websockets, /readyz checks) before
two of the Procfile's web processes, PostgreSQL, Redis, two routers (leader and hot standby),
two workers, and the Twilio emulator (Procfile.demo's line) placing BENCH_CALLS_PER_MINUTE calls
into the IVR. BENCH_AGENTS agent consoles (python-socketio clients in BENCH_CLIENT_PROCESSES
processes, websocket only, through HAProxy) accept every offer, hang calls up after
BENCH_TALK_SECONDS and answer every chat message; BENCH_CHAT_CUSTOMERS widget customers send
messages so that BENCH_CHAT_PER_SECOND messages a second flow, both directions together (half
from customers, each answered by its agent). Over BENCH_SECONDS, web1 is killed (SIGKILL to its
process group) at the midpoint and restarted BENCH_RESTART_SECONDS later; clients reconnect and
resume with their last sequence numbers as the browser does.

Measured: lost = offers the router decided (read back from its outbox) that never reached the
agent's socket, plus chat messages sent that never reached the other side; screen-pop latency
(router decision -> agent socket) and chat latency (send -> delivered), p99 over the whole run
and outside the failover window; each socket's reconnect time after the kill (kill -> connected
and caught up). Goals: 0 lost, pop p99 <= 25 ms, chat p99 <= 50 ms, reconnect <= 2 s.

Needs haproxy (Debian's package `haproxy`), PostgreSQL (BENCH_DATABASE_URL, default database
bench_scaleout on 127.0.0.1, created if missing, its schema reset) and Redis (BENCH_REDIS_URL,
default db 13 on 127.0.0.1, flushed); without one of them it says so and exits 0 with
{"skipped": true}. Also BENCH_DRAIN_SECONDS (after the load, default 5), BENCH_SEED (the
emulator's traffic); BENCH_KEEP=1 keeps the run's directory (logs, haproxy.cfg), BENCH_DUMP=path
writes what every client saw as JSON, BENCH_CLIENT_DEBUG=1 logs every client socket's traffic.
The last line printed is JSON.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chat import (  # noqa: E402 - after the path insert
    machine_cpu,
    machine_share,
    reset_schema,
    wait_until_routing_settled,
)
from bench.common import floor, percentile, session_cookies, sign_in_agents  # noqa: E402
from bench.ivr import ACCOUNT_SID, AUTH_TOKEN, OPEN_HOURS  # noqa: E402
from bench.scaleout_clients import AgentLogin, agent_process, customer_process  # noqa: E402
from bench.scaleout_parts import HAPROXY_PACKAGE, Topology, server_ports, wait_healthy  # noqa: E402
from bench.screenpop import QueueProbe, stage_breakdown  # noqa: E402

AGENTS = int(os.environ.get("BENCH_AGENTS", "1000"))
CALLS_PER_MINUTE = float(os.environ.get("BENCH_CALLS_PER_MINUTE", "120"))
CHAT_PER_SECOND = float(os.environ.get("BENCH_CHAT_PER_SECOND", "50"))
CHAT_CUSTOMERS = int(os.environ.get("BENCH_CHAT_CUSTOMERS", "200"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "600"))
RESTART_SECONDS = float(os.environ.get("BENCH_RESTART_SECONDS", "5"))
TALK_SECONDS = float(os.environ.get("BENCH_TALK_SECONDS", "20"))
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "2"))
# After the load stops, for answers and resends still on their way.
DRAIN_SECONDS = float(os.environ.get("BENCH_DRAIN_SECONDS", "5"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
DATABASE_URL = (
    os.environ.get("BENCH_DATABASE_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/bench_scaleout"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/13"
ORIGIN = "https://shop.bench.example"  # the chat site's page
GOALS = {"lost": 0, "pop_p99_ms": 25.0, "chat_p99_ms": 50.0, "reconnect_max_s": 2.0}


# -- what the run needs ---------------------------------------------------------------------


def missing_part() -> str | None:
    """Why the bench cannot run here, or None."""
    import redis
    from sqlalchemy.exc import SQLAlchemyError

    if shutil.which("haproxy") is None:
        return (
            f"haproxy is not installed: install Debian's package `{HAPROXY_PACKAGE}` "
            f"(apt-get install -y {HAPROXY_PACKAGE})"
        )
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {_shown(REDIS_URL)} does not answer ({type(exc).__name__}: {exc})"
    try:
        ensure_database(DATABASE_URL)
    except SQLAlchemyError as exc:
        return f"PostgreSQL at {_shown(DATABASE_URL)} does not answer ({type(exc).__name__})"
    return None


def _shown(url: str) -> str:
    """A URL without its password, for messages."""
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


def ensure_database(url: str) -> None:
    """Create the bench's own database if it is missing (never any other)."""
    from sqlalchemy import create_engine, make_url, text

    wanted = make_url(url)
    admin = create_engine(
        wanted.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": wanted.database}
            ).first()
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{wanted.database}"'))
    finally:
        admin.dispose()


def build_floor(env: dict[str, str]) -> dict[str, Any]:
    """One queue anyone may answer (no wrap-up) with a plan every task matches, agents with the
    default capacity (one call, or up to three chats), one chat site routed to the queue."""
    from contactcentre.auth.users import issue_api_token
    from contactcentre.settings import load_settings
    from contactcentre.store.models import ChatSite
    from tests.builders import add_plan

    load_settings(database_url=env["CC_DATABASE_URL"], redis_url=env["CC_REDIS_URL"])
    with floor(env["CC_DATABASE_URL"], "Bench", AGENTS) as (session, queue, rows):
        # The IVR's calls name no queue: the plan takes every task there.
        add_plan(session, "Everything", queue, filter="true", max_wait_seconds=3600)
        session.add(
            ChatSite(
                name="Bench", widget_key="wk_bench", allowed_origins=[ORIGIN],
                queue_id=queue.id, bot_enabled=False,
            )
        )  # fmt: skip
        tokens = [issue_api_token(session, agent.user, "bench") for agent in rows]
        return {"agents": [(a.id, a.user_id) for a in rows], "tokens": tokens}


def environment(work: Path, base: str, emulator_port: int) -> dict[str, str]:
    sockets = AGENTS + CHAT_CUSTOMERS
    # Either web process must hold every socket once the other is gone.
    threads = sockets + 100
    return {
        **os.environ,
        "CC_DATABASE_URL": DATABASE_URL,
        "CC_REDIS_URL": REDIS_URL,
        "CC_SECRET_KEY": "bench-secret-key",
        "CC_INSTANCE_PATH": str(work / "instance"),
        "CC_PUBLIC_BASE_URL": base,
        "CC_BEHIND_PROXY": "true",
        "CC_WEB_HOST": "127.0.0.1",
        "CC_WEB_THREADS": str(threads),
        # gthread also caps a worker's connections (1,000 unless told).
        "GUNICORN_CMD_ARGS": f"--worker-connections {threads + 100}",
        "CC_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "CC_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CC_TWILIO_API_BASE_URL": f"http://127.0.0.1:{emulator_port}",
        "CC_EMULATOR_PORT": str(emulator_port),
        "CC_DEMO_CALLS_PER_MINUTE": f"{CALLS_PER_MINUTE:g}",
        "CC_IVR_FIXED_TIME": OPEN_HOURS,
        "CC_LOG_LEVEL": "WARNING",
        # What this topology runs: health must not wait for the Procfile's mail process.
        "CC_PROCESSES": "web,router,worker",
        # Redis pub/sub channels span every database: ours alone.
        "CC_SOCKETIO_CHANNEL": f"cc-bench-scaleout-{os.getpid()}",
        "CC_CHAT_CONVERSATIONS_PER_HOUR": "1000000",
        "CC_CHAT_MESSAGES_PER_MINUTE": "1000",
        "CC_CHAT_SOCKETS_PER_ADDRESS": "1000000",  # every customer is on loopback
        "PYTHONPATH": str(ROOT),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


# -- the run --------------------------------------------------------------------------------


def run(
    topology: Topology, env: dict[str, str], base: str, floor: dict[str, Any]
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    go, quiet, stop = ctx.Event(), ctx.Event(), ctx.Event()
    cookies = session_cookies(env, [uid for _aid, uid in floor["agents"]])
    logins = [
        AgentLogin(aid, cookies[i], floor["tokens"][i])
        for i, (aid, _uid) in enumerate(floor["agents"])
    ]
    agent_procs = [
        ctx.Process(
            target=agent_process,
            args=(base, logins[i::CLIENT_PROCESSES], TALK_SECONDS, (ready, results, stop)),
            daemon=True,
        )
        for i in range(CLIENT_PROCESSES)
    ]
    names = [f"c{n}" for n in range(CHAT_CUSTOMERS)]
    # Each customer sends every `interval` s: half the rate, the agents' answers the other half.
    interval = CHAT_CUSTOMERS / (CHAT_PER_SECOND / 2) if CHAT_PER_SECOND > 0 else SECONDS * 2
    customer_procs = [
        ctx.Process(
            target=customer_process,
            args=(
                base,
                ORIGIN,
                names[i::CLIENT_PROCESSES],
                interval,
                (ready, results, go, quiet, stop),
            ),
            daemon=True,
        )
        for i in range(CLIENT_PROCESSES)
        if names[i::CLIENT_PROCESSES]
    ]
    procs = [*agent_procs, *customer_procs]
    # When each offer was published on the message queue, to split its latency into stages.
    probe = QueueProbe(REDIS_URL, env["CC_SOCKETIO_CHANNEL"])
    try:
        started = time.monotonic()
        for proc in agent_procs:
            proc.start()
        agents = sum(collect(ready, agent_procs, 900))
        # Consoles open, then agents go available, then chats arrive (and are offered).
        sign_in_agents(env, [aid for aid, _uid in floor["agents"]])
        for proc in customer_procs:
            proc.start()
        customers = sum(collect(ready, customer_procs, 900))
        settle_seconds = wait_until_routing_settled(REDIS_URL)
        setup_seconds = time.monotonic() - started
        print(
            f"{agents} agent sockets, {customers} chat customers; setup {setup_seconds:.1f} s",
            flush=True,
        )
        cpu_before = machine_cpu()
        topology.mark_load(ended=False)
        load_started = time.time()
        topology.start_emulator(SEED)
        go.set()
        _sleep_until(load_started + SECONDS / 2)
        killed_at = time.time()
        topology.kill_web(0)
        print(f"killed web1 (SIGKILL) at {killed_at - load_started:.1f} s", flush=True)
        time.sleep(RESTART_SECONDS)
        topology.restart_web(0)
        healthy = wait_healthy(f"http://127.0.0.1:{topology.web_ports[0]}", 120, [topology.webs[0]])
        print(
            f"restarted web1 {RESTART_SECONDS:g} s later; healthy {healthy:.1f} s after", flush=True
        )
        _sleep_until(load_started + SECONDS)
        quiet.set()
        machine = machine_share(cpu_before, machine_cpu())
        topology.mark_load(ended=True)
        if topology.emulator is not None:
            topology.emulator.stop()  # hangs up live calls: no new offers
        try:
            wait_until_routing_settled(REDIS_URL, quiet=1.0, timeout=120)
        except RuntimeError as exc:
            print(f"warning: {exc}", flush=True)
        time.sleep(DRAIN_SECONDS)
        stop.set()
        tallies = collect(results, procs, 120)
    finally:
        stop.set()
        for proc in procs:
            proc.join(15)
            if proc.is_alive():
                proc.terminate()
    return {
        "agents": agents,
        "customers": customers,
        "setup_seconds": round(setup_seconds, 1),
        "settle_seconds": round(settle_seconds, 1),
        "killed_at": killed_at,
        "load_started": load_started,
        "restart_healthy_seconds": round(healthy, 2),
        "machine": machine,
        "tallies": tallies,
        "offers": decided_offers(REDIS_URL),
        "published": probe.stop(),
    }


def collect(answers: Any, procs: list[Any], timeout: float) -> list[Any]:
    """One answer from each client process; fails at once if one of them died."""
    import queue

    got: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(got) < len(procs):
        if time.monotonic() > deadline:
            raise RuntimeError(f"client processes did not answer within {timeout:g} s")
        try:
            got.append(answers.get(timeout=1))
        except queue.Empty:
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"a client process exited with {dead[0].exitcode}") from None
    return got


def _sleep_until(when: float) -> None:
    time.sleep(max(0.0, when - time.time()))


def decided_offers(redis_url: str) -> dict[str, tuple[str, str, float]]:
    """Every offer the router committed to its outbox: reservation -> (agent, channel, at)."""
    import redis

    from contactcentre.router.streams import OUTBOX

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    offers: dict[str, tuple[str, str, float]] = {}
    start = "-"
    for _page in range(10_000):  # bounded: 100 entries a page
        entries = client.xrange(OUTBOX, min=start, max="+", count=100)
        for _entry_id, fields in entries:
            for delivery in json.loads(fields.get("effects") or "[]"):
                effect = delivery["effect"]
                if effect["kind"] == "offer_created":
                    offers[effect["reservation_id"]] = (
                        str(effect["agent_id"]),
                        effect.get("channel") or "voice",
                        delivery["at"],
                    )
        if len(entries) < 100:
            break
        start = "(" + entries[-1][0]
    client.close()
    return offers


# -- the figures ----------------------------------------------------------------------------


def analyse(result: dict[str, Any]) -> dict[str, Any]:
    agents = [t for role, t in result["tallies"] if role == "agents"]
    customers = [t for role, t in result["tallies"] if role == "customers"]
    killed_at = result["killed_at"]
    reconnect = reconnects([e for t in agents + customers for e in t["sockets"]], killed_at)
    window_end = reconnect.pop("window_end")

    def clear_of_failover(sent: float, got: float) -> bool:
        """On its way entirely before the kill, or entirely after every socket caught up."""
        return got < killed_at or sent > window_end

    received: dict[str, tuple[float, float, bool, bool]] = {}
    for tally in agents:
        for rid, _task, at, got, replayed, has_pop in tally["offers"]:
            received.setdefault(rid, (at, got, replayed, has_pop))
    decided = result["offers"]
    lost_pops = sorted(set(decided) - set(received))
    pops = [(received[r][1] - received[r][0]) * 1000 for r in decided if r in received]
    pops_steady = [
        (received[r][1] - received[r][0]) * 1000
        for r in decided
        if r in received and clear_of_failover(received[r][0], received[r][1])
    ]
    sent = {k: v for t in agents + customers for k, v in t["sent"].items()}
    got = {k: v for t in agents + customers for k, v in t["received"].items()}
    to_agent_lost = sorted(k for k in sent if not k.startswith("r-") and k not in got)
    to_customer_lost = sorted(k for k in sent if k.startswith("r-") and k not in got)
    chat = [(g - s) * 1000 for s, g in got.values()]
    chat_steady = [(g - s) * 1000 for s, g in got.values() if clear_of_failover(s, g)]
    channels = Counter(channel for _agent, channel, _at in decided.values())
    first_by_task = {}
    for _rid, task, at, got_at, _replayed, _pop in sorted(
        (o for t in agents for o in t["offers"]), key=lambda o: o[3]
    ):
        first_by_task.setdefault(task, (at, got_at))
    stages = stage_breakdown(list(first_by_task), result["published"], first_by_task)
    lost = len(lost_pops) + len(to_agent_lost) + len(to_customer_lost)
    return {
        "lost": lost,
        "lost_pops": len(lost_pops),
        "lost_to_agents": len(to_agent_lost),
        "lost_to_customers": len(to_customer_lost),
        "lost_examples": (lost_pops + to_agent_lost + to_customer_lost)[:10],
        "offers": len(decided),
        "offers_by_channel": dict(channels),
        "offers_replayed": sum(1 for v in received.values() if v[2]),
        "offers_without_pop": sum(1 for v in received.values() if not v[3]),
        "pop_p50_ms": _round(statistics.median(pops)) if pops else None,
        "pop_p99_ms": _round(percentile(pops, 99)) if pops else None,
        "pop_max_ms": _round(max(pops)) if pops else None,
        "pop_p99_ms_outside_failover": _round(percentile(pops_steady, 99)) if pops_steady else None,
        "pop_stages_ms": stages,
        "chat_messages": len(sent),
        "chat_p50_ms": _round(statistics.median(chat)) if chat else None,
        "chat_p99_ms": _round(percentile(chat, 99)) if chat else None,
        "chat_max_ms": _round(max(chat)) if chat else None,
        "chat_p99_ms_outside_failover": _round(percentile(chat_steady, 99))
        if chat_steady
        else None,
        "failover_window_s": round(window_end - killed_at, 2),
        **reconnect,
        "http_retries": _merged(t["http"] for t in agents + customers),
        "client_outcomes": _merged(t["outcomes"] for t in agents + customers),
    }


def reconnects(events: list[tuple[str, str, float]], killed_at: float) -> dict[str, Any]:
    """Each socket dropped by the kill: kill -> connected again, and kill -> caught up (agents:
    resume answered; customers: history received)."""
    by_socket: dict[str, list[tuple[str, float]]] = {}
    for name, what, when in sorted(events, key=lambda e: e[2]):
        by_socket.setdefault(name, []).append((what, when))
    connected, resumed, never, other_drops = [], [], [], 0
    for name, timeline in by_socket.items():
        drops = [when for what, when in timeline if what == "dropped"]
        if not drops:
            continue
        first = next((d for d in drops if killed_at <= d <= killed_at + 10), None)
        other_drops += len([d for d in drops if d != first])
        if first is None:
            continue
        back = next((w for what, w in timeline if what == "connected" and w > first), None)
        done = next((w for what, w in timeline if what == "resumed" and w > first), None)
        if back is None or done is None:
            never.append(name)
            continue
        connected.append(back - killed_at)
        resumed.append(done - killed_at)
    return {
        "sockets_dropped_by_kill": len(resumed) + len(never),
        "never_reconnected": len(never),
        "reconnect_max_s": None if never or not resumed else round(max(resumed), 2),
        "reconnect_p50_s": round(statistics.median(resumed), 2) if resumed else None,
        "connect_max_s": round(max(connected), 2) if connected else None,
        "other_drops": other_drops,
        "window_end": killed_at + max(resumed, default=RESTART_SECONDS),
    }


def _round(value: float) -> float:
    return round(value, 2)


def _merged(counters: Any) -> dict[str, int]:
    total: Counter[str] = Counter()
    for counter in counters:
        total.update(counter)
    return dict(sorted(total.items()))


def part_troubles(topology: Topology) -> dict[str, Any]:
    """Tracebacks in the parts' logs and what HAProxy logged, during the load (HAProxy logs
    only failed or abnormal requests, and servers going down or up)."""
    import re

    tracebacks = {}
    for part in topology.parts():
        count = topology.logged_during_load(part).count("Traceback")
        if count:
            tracebacks[part.name] = count
    lines: list[str] = []
    if topology.haproxy is not None:
        lines = topology.logged_during_load(topology.haproxy).splitlines()
    requests: Counter[str] = Counter()
    for line in lines:
        found = re.search(r'\] contactcentre \S+ \S+ (\d{3}) .* "(\w+) ([^? ]+)', line)
        if found:
            status, method, path = found.groups()
            path = re.sub(r"/([0-9a-f-]{16,}|\d+|CA[0-9a-f]{32})(?=/|$)", "/<id>", path)
            requests[f"{status} {method} {path}"] += 1
    return {
        "tracebacks": tracebacks,
        "balancer_abnormal_requests": dict(requests),
        "balancer_server_changes": [
            line[: line.index(", reason")] if ", reason" in line else line
            for line in lines
            if line.startswith("Server web/")
        ],
    }


def report(figures: dict[str, Any]) -> None:
    def goal(value: Any, limit: float, unit: str, sign: str = "≤") -> str:
        met = value is not None and value <= limit
        return f"{value} {unit} (goal {sign} {limit:g} {unit}: {'met' if met else 'NOT met'})"

    print(
        f"{figures['agents']} agents, {figures['chat_customers']} chat customers, "
        f"{CALLS_PER_MINUTE:g} calls/min, {CHAT_PER_SECOND:g} chat msg/s, {SECONDS:g} s; "
        f"web1 killed at the midpoint, back after {RESTART_SECONDS:g} s\n"
        f"  lost {figures['lost']} (goal 0: {'met' if figures['lost'] == 0 else 'NOT met'}): "
        f"{figures['lost_pops']} of {figures['offers']} offers {figures['offers_by_channel']}, "
        f"{figures['lost_to_agents']} messages to agents, "
        f"{figures['lost_to_customers']} to customers, of {figures['chat_messages']}\n"
        f"  screen pop p99 {goal(figures['pop_p99_ms'], GOALS['pop_p99_ms'], 'ms')}; "
        f"p50 {figures['pop_p50_ms']} ms, outside the failover window p99 "
        f"{figures['pop_p99_ms_outside_failover']} ms; {figures['offers_replayed']} replayed\n"
        f"    stages (p50 / p99 ms): {figures['pop_stages_ms']}\n"
        f"  chat p99 {goal(figures['chat_p99_ms'], GOALS['chat_p99_ms'], 'ms')}; "
        f"p50 {figures['chat_p50_ms']} ms, outside the failover window p99 "
        f"{figures['chat_p99_ms_outside_failover']} ms\n"
        f"  reconnect max {goal(figures['reconnect_max_s'], GOALS['reconnect_max_s'], 's')} "
        f"over {figures['sockets_dropped_by_kill']} sockets dropped by the kill "
        f"(p50 {figures['reconnect_p50_s']} s; never {figures['never_reconnected']})\n"
        f"  machine busy {figures['machine_busy_percent']}%, steal "
        f"{figures['machine_steal_percent']}%; HTTP tries that failed {figures['http_retries']}; "
        f"abnormal requests at the balancer {figures['balancer_abnormal_requests']}; "
        f"tracebacks {figures['tracebacks']}",
        flush=True,
    )


def raise_open_files() -> None:
    """Every socket is a file in a client process and in a web process: lift the soft limit to
    the hard one for this bench and what it starts."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1 << 20 if hard == resource.RLIM_INFINITY else hard
    if soft < wanted:
        with contextlib.suppress(ValueError, OSError):  # not allowed here: keep the soft one
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main() -> int:
    # SIGTERM (a CI timeout) unwinds like Ctrl-C, so every part started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    why = missing_part()
    if why is not None:
        print(f"bench/scaleout.py skipped: {why}", file=sys.stderr, flush=True)
        print(json.dumps({"bench": "scaleout", "skipped": True, "why": why}))
        return 0
    import redis

    raise_open_files()
    work = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()  # the bench's own database (db 13 unless told), never FLUSHALL
    reset_schema(DATABASE_URL)
    lb_port, emulator_port, *web_ports = server_ports(4)
    base = f"http://127.0.0.1:{lb_port}"
    env = environment(work, base, emulator_port)
    floor = build_floor(env)
    topology = Topology(env, work, web_ports)
    try:
        started = time.monotonic()
        topology.start_servers(lb_port, maxconn=4 * (AGENTS + CHAT_CUSTOMERS) + 2000)
        for port in web_ports:
            wait_healthy(f"http://127.0.0.1:{port}", 180, topology.parts())
        wait_healthy(base, 30, topology.parts())
        print(f"every part up and healthy in {time.monotonic() - started:.1f} s", flush=True)
        result = run(topology, env, base, floor)
    finally:
        topology.stop()
        troubles = part_troubles(topology)
        store.flushdb()
        store.close()
        if os.environ.get("BENCH_KEEP"):
            print(f"run directory kept: {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if os.environ.get("BENCH_DUMP"):  # everything the clients saw, for a closer look
        Path(os.environ["BENCH_DUMP"]).write_text(json.dumps(result, default=list))
    figures = {
        "bench": "scaleout",
        "agents": result["agents"],
        "chat_customers": result["customers"],
        "calls_per_minute": CALLS_PER_MINUTE,
        "chat_per_second": CHAT_PER_SECOND,
        "seconds": SECONDS,
        "talk_seconds": TALK_SECONDS,
        "restart_seconds": RESTART_SECONDS,
        "setup_seconds": result["setup_seconds"],
        "restart_healthy_seconds": result["restart_healthy_seconds"],
        **analyse(result),
        # The whole machine over the load (the bench's clients included), so a run on a noisy
        # host says so.
        "machine_busy_percent": result["machine"].get("busy"),
        "machine_steal_percent": result["machine"].get("steal"),
        **troubles,
        "goals": GOALS,
    }
    figures["goal_met"] = bool(
        figures["lost"] == 0
        and all(
            figures[key] is not None and figures[key] <= GOALS[key]
            for key in ("pop_p99_ms", "chat_p99_ms", "reconnect_max_s")
        )
    )
    report(figures)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
