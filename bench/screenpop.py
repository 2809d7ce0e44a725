"""Screen-pop latency: router decision -> Redis message queue -> web process -> agent's socket.

Real processes: `contactcentre router` and the Procfile's gunicorn web process, against an
embedded Valkey and a SQLite file; agent sockets are python-socketio clients in a few client
processes. Tasks with customers arrive at BENCH_RATE per second (default 50); each agent
accepts its offer and completes the contact shortly after, so the floor keeps turning over.
Latency = time the agent's socket receives the offer (with its pop) - time the router decided.
Runs with 500 then 1,000 connected agent sockets; BENCH_SECONDS per run (default 20).
The last line printed is JSON.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue as queue_mod
import signal
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402 - after the path insert
    floor,
    free_port,
    percentile,
    scratch,
    session_cookies,
    sign_in_agents,
    wait_for_web,
)

SIZES = [int(s) for s in os.environ.get("BENCH_SOCKETS", "500,1000").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
RATE = float(os.environ.get("BENCH_RATE", "50"))
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "2"))
HANDLE_SECONDS = 0.5  # how long a bench agent "talks" before completing the contact
CUSTOMERS = 200
SUBMIT_THREADS = 4
ROLES: dict[str, Any] = {}  # the server-side processes, for CPU accounting


# -- the floor -------------------------------------------------------------------------------


def build_floor(env: dict[str, str], agents: int) -> dict[str, Any]:
    """Migrate, then one queue anyone may answer (no wrap-up), agents and customers in SQL."""
    from contactcentre.customers.value import refresh_value
    from contactcentre.settings import load_settings
    from contactcentre.store.models import Customer, CustomerPhone

    settings = load_settings(
        database_url=env["CC_DATABASE_URL"],
        redis_url=env["CC_REDIS_URL"],
        instance_path=Path(env["CC_INSTANCE_PATH"]),
    )
    with floor(env["CC_DATABASE_URL"], "Bench", agents) as (session, queue, rows):
        for n in range(CUSTOMERS):
            customer = Customer(
                first_name="Caller",
                last_name=str(n),
                average_purchase_value=Decimal(50 + n),
                purchases_per_year=Decimal(4),
                relationship_years=Decimal(3),
            )
            customer.phones = [CustomerPhone(e164=f"+1303555{n:04d}", primary=True)]
            refresh_value(customer, settings)
            session.add(customer)
        return {"queue_id": queue.id, "agents": [(a.id, a.user_id) for a in rows]}


# -- agent sockets (client processes) ----------------------------------------------------------


def client_process(
    url: str, redis_url: str, agents: list[tuple[int, str]], pipes: tuple[Any, Any, Any]
) -> None:
    """Connect one socket per agent; on each offer: note the latency, accept, complete soon.

    asyncio clients (python-socketio's AsyncClient over aiohttp), one event loop per process:
    the server side is the real path; the clients should take as little of the 2 cores as
    they can, and a thread per socket (the threaded client) took far more.
    """
    import asyncio

    asyncio.run(_clients(url, redis_url, agents, pipes))


async def _clients(
    url: str, redis_url: str, agents: list[tuple[int, str]], pipes: tuple[Any, Any, Any]
) -> None:
    import asyncio

    import redis.asyncio as aredis
    import socketio

    from contactcentre.router.streams import COMMANDS, COMMANDS_MAXLEN
    from routing import events as ev

    ready, results, stop = pipes
    commands = aredis.Redis.from_url(redis_url, decode_responses=True)
    received: list[tuple[str, float, float]] = []  # task, decided at, received at
    tasks: set[asyncio.Task[Any]] = set()

    async def send(event: ev.Event, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        fields = {"event": json.dumps(event.to_dict(), separators=(",", ":"))}
        await commands.xadd(COMMANDS, fields, maxlen=COMMANDS_MAXLEN, approximate=True)  # type: ignore[arg-type]

    def spawn(coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def on_offer(envelope: dict[str, Any]) -> None:
        now = time.time()
        data = envelope["data"]
        if data.get("pop") is None:
            return  # counted as lost: an offer must carry its pop
        received.append((data["task_id"], float(data["at"]), now))
        spawn(send(ev.OfferAccepted(data["reservation_id"])))
        spawn(send(ev.TaskCompleted(data["task_id"]), HANDLE_SECONDS))

    async def connect(agent_id: int, cookie: str) -> Any:
        client = socketio.AsyncClient(reconnection=True)
        client.on("offer_created", on_offer, namespace="/agent")
        for attempt in range(20):
            try:
                await client.connect(
                    url,
                    headers={"Cookie": f"session={cookie}"},
                    namespaces=["/agent"],
                    transports=["websocket"],
                    wait_timeout=10,
                )
                return client
            except socketio.exceptions.ConnectionError:
                await asyncio.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"agent {agent_id} could not connect")

    clients = []
    for start in range(0, len(agents), 25):  # a few at a time, like consoles opening
        clients += await asyncio.gather(*(connect(a, c) for a, c in agents[start : start + 25]))
    ready.put(len(clients))
    loop = asyncio.get_running_loop()
    while not await loop.run_in_executor(None, stop.wait, 0.2):
        batch, received[:] = list(received), []
        for item in batch:
            results.put(item)
    await asyncio.sleep(0.5)
    for item in received:
        results.put(item)
    results.put(None)
    await asyncio.gather(*(client.disconnect() for client in clients), return_exceptions=True)
    await commands.aclose()


# -- the run ------------------------------------------------------------------------------------


def submit_load(env: dict[str, str], queue_id: int, seconds: float) -> list[str]:
    """Submit tasks (with a customer each) at RATE per second through the real RoutingClient.

    Each submission is what a web request does (an SQL commit, then the pop is built and the
    command sent); a few threads keep the rate when one commit waits for SQLite's lock.
    """
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from contactcentre.cti.wiring import install_pop_prebuild
    from contactcentre.interactions.opening import open_interaction
    from contactcentre.platform.runtime import redis_client
    from contactcentre.router.client import RoutingClient
    from contactcentre.store.db import Database

    db = Database(env["CC_DATABASE_URL"])
    routing = RoutingClient(redis_client(env["CC_REDIS_URL"]))
    # What every submitting process's composition root does (create_app, the worker, the
    # router): pops are built at submission, so the notifier only reads them.
    install_pop_prebuild()

    def submit(n: int) -> str:
        with db.session() as session:
            now = datetime.now(UTC)
            attributes = {"queue_id": str(queue_id), "intent": "billing", "ivr_path": ["bench"]}
            interaction = open_interaction(
                session,
                channel="voice",
                customer_id=n % CUSTOMERS + 1,
                attributes=attributes,
                actor="api",
                at=now,
            ).interaction
            routing.submit(session, interaction, attributes, priority=0, at=now)
            return interaction.id

    futures = []
    start = time.monotonic()
    n = 0
    with ThreadPoolExecutor(max_workers=SUBMIT_THREADS) as pool:
        while time.monotonic() - start < seconds:
            delay = start + n / RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(submit, n))
            n += 1
    submitted = [f.result() for f in futures]
    db.dispose()
    return submitted


class QueueProbe:
    """Listens on the Socket.IO channel itself: when each offer was *published*, which splits
    the latency into stages with the offer's own clocks: decided (`at`), committed to the
    outbox (the millisecond time in its outbox entry id), published (seen here), received."""

    def __init__(self, redis_url: str, channel: str) -> None:
        import redis as redis_mod

        self._pubsub = redis_mod.Redis.from_url(redis_url).pubsub()
        self._pubsub.subscribe(channel)
        self.offers: dict[str, tuple[float, float, float]] = {}  # task -> at, committed, published
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            message = self._pubsub.get_message(timeout=0.2)
            if not message or message["type"] != "message":
                continue
            body = json.loads(message["data"])  # python-socketio's manager message
            envelope = (body.get("data") or [{}])[0]
            to_agent = str(envelope.get("room", "")).startswith("agent:")
            if body.get("event") == "offer_created" and to_agent:
                data = envelope["data"]
                committed = int(str(data["id"]).split("-")[0]) / 1000
                self.offers.setdefault(data["task_id"], (float(data["at"]), committed, time.time()))

    def stop(self) -> dict[str, tuple[float, float, float]]:
        self._stop.set()
        return self.offers


def measure(
    env: dict[str, str], url: str, floor: dict[str, Any], cookies: list[str], sockets: int
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    agents = [(aid, cookies[i]) for i, (aid, _uid) in enumerate(floor["agents"][:sockets])]
    chunks = [agents[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    procs = [
        ctx.Process(
            target=client_process,
            args=(url, env["CC_REDIS_URL"], chunk, (ready, results, stop)),
            daemon=True,
        )
        for chunk in chunks
    ]
    connect_started = time.monotonic()
    for proc in procs:
        proc.start()
    connected = sum(ready.get(timeout=600) for _ in procs)
    connect_seconds = time.monotonic() - connect_started
    sign_in_agents(env, [aid for aid, _c in agents])
    probe = QueueProbe(env["CC_REDIS_URL"], env["CC_SOCKETIO_CHANNEL"])
    pids = role_pids(procs)
    cpu_before = {role: sum(cpu_seconds(p) for p in ps) for role, ps in pids.items()}
    load_started = time.monotonic()
    submitted = submit_load(env, floor["queue_id"], SECONDS)
    load_seconds = time.monotonic() - load_started
    time.sleep(3)  # stragglers
    stop.set()
    latencies: dict[str, tuple[float, float]] = {}
    finished = 0
    while finished < len(procs):
        try:
            item = results.get(timeout=30)
        except queue_mod.Empty:
            break
        if item is None:
            finished += 1
            continue
        task_id, decided_at, received_at = item
        latencies.setdefault(task_id, (decided_at, received_at))
    cpu = cpu_shares(pids, cpu_before, time.monotonic() - load_started)
    for proc in procs:
        proc.join(10)
    offers = probe.stop()
    sign_out(env, [aid for aid, _c in agents])
    values = [(latencies[t][1] - latencies[t][0]) * 1000 for t in submitted if t in latencies]
    lost = sum(1 for t in submitted if t not in latencies)
    stages = stage_breakdown(submitted, offers, latencies)
    return {
        "sockets": connected,
        "connect_seconds": round(connect_seconds, 1),
        "pops": len(submitted),
        "rate_per_s": RATE,
        "achieved_rate_per_s": round(len(submitted) / load_seconds, 1),
        "lost": lost,
        "p50_ms": round(statistics.median(values), 2) if values else None,
        "p99_ms": round(percentile(values, 99), 2) if values else None,
        "max_ms": round(max(values), 2) if values else None,
        "stages_ms": stages,
        "cpu_share_of_2_cores": cpu,
    }


def stage_breakdown(
    submitted: list[str],
    offers: dict[str, tuple[float, float, float]],
    received: dict[str, tuple[float, float]],
) -> dict[str, dict[str, float]]:
    """p50/p99 of each stage: router (decided -> outbox), notifier (outbox -> published on the
    message queue), web (published -> the agent's socket client has it)."""
    spans: dict[str, list[float]] = {"router": [], "notifier": [], "web": []}
    for task in submitted:
        if task not in offers or task not in received:
            continue
        at, committed, published = offers[task]
        spans["router"].append(max(0.0, committed - at) * 1000)
        spans["notifier"].append((published - committed) * 1000)
        spans["web"].append((received[task][1] - published) * 1000)
    return {
        name: {"p50": round(statistics.median(v), 2), "p99": round(percentile(v, 99), 2)}
        for name, v in spans.items()
        if v
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its waited-for children, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def cpu_shares(
    pids: dict[str, list[int]], before: dict[str, float], seconds: float
) -> dict[str, float]:
    """Each role's CPU during the load, as a share of the machine's cores (1.0 = all of them)."""
    cores = os.cpu_count() or 1
    return {
        role: round((sum(cpu_seconds(p) for p in ps) - before[role]) / seconds / cores, 3)
        for role, ps in pids.items()
    }


def role_pids(procs: list[Any]) -> dict[str, list[int]]:
    """The processes of the bench, by role: the server side and the bench's own."""
    children = {p.pid: [int(c) for c in _children(p.pid)] for p in (ROLES["router"], ROLES["web"])}
    return {
        "router": [ROLES["router"].pid],
        "notify": children[ROLES["router"].pid][:],
        "web": [ROLES["web"].pid, *children[ROLES["web"].pid]],
        "valkey": [ROLES["valkey"]],
        "bench_load_and_probe": [os.getpid()],
        "bench_clients": [p.pid for p in procs],
    }


def _children(pid: int) -> list[str]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return found


def sign_out(env: dict[str, str], agent_ids: list[int]) -> None:
    import redis as redis_mod

    from contactcentre.router.commands import RoutingCommands
    from routing import events as ev

    commands = RoutingCommands(redis_mod.Redis.from_url(env["CC_REDIS_URL"]))
    for agent_id in agent_ids:
        commands.send(ev.AgentSignedOut(str(agent_id)))
    time.sleep(2)


def valkey_pid(redis_url: str) -> int:
    import redis as redis_mod

    return int(redis_mod.Redis.from_url(redis_url).info("server")["process_id"])


def main() -> None:
    with scratch("screenpop") as (work, redis_url):
        run(work, redis_url)


def run(work: Path, redis_url: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CC_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "CC_REDIS_URL": redis_url,
        "CC_SECRET_KEY": "bench-secret-key",
        "CC_INSTANCE_PATH": str(work / "instance"),
        "CC_PROCESSES": "",
        "CC_LOG_LEVEL": "WARNING",
        "CC_SOCKETIO_CHANNEL": "cc-bench",
        "CC_REALTIME_GRACE_SECONDS": "600",
        "PYTHONPATH": str(ROOT),
    }
    biggest = max(SIZES)
    floor = build_floor(env, biggest)
    cookies = session_cookies(env, [uid for _aid, uid in floor["agents"]])
    python = sys.executable
    router = subprocess.Popen([python, "-m", "contactcentre", "router"], env=env, cwd=ROOT)
    # The Procfile's web process, with a thread per websocket (gthread holds one per socket).
    web = subprocess.Popen(
        [
            python, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1",
            "--threads", str(biggest + 200), "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning", "contactcentre:create_app()",
        ],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    ROLES.update(router=router, web=web, valkey=valkey_pid(redis_url))
    runs = []
    try:
        wait_for_web(url, web)
        for size in SIZES:
            result = measure(env, url, floor, cookies, size)
            stages = ", ".join(
                f"{name} p50 {v['p50']} / p99 {v['p99']} ms"
                for name, v in result["stages_ms"].items()
            )
            shares = ", ".join(f"{k} {v:.0%}" for k, v in result["cpu_share_of_2_cores"].items())
            print(
                f"{result['sockets']} sockets, {result['pops']} pops at {RATE:g}/s "
                f"(achieved {result['achieved_rate_per_s']}/s): "
                f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
                f"max {result['max_ms']} ms, lost {result['lost']}\n"
                f"  stages: {stages}\n  CPU (share of all cores): {shares}",
                flush=True,
            )
            runs.append(result)
    finally:
        for proc in (web, router):
            proc.send_signal(signal.SIGTERM)
        for proc in (web, router):
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    goal = all(r["p99_ms"] is not None and r["p99_ms"] <= 25 and r["lost"] == 0 for r in runs)
    summary = {
        "bench": "screenpop",
        "seconds_per_run": SECONDS,
        "runs": runs,
        "goal": "p99 <= 25 ms, zero lost",
        "goal_met": goal,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
