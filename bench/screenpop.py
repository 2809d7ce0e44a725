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
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [int(s) for s in os.environ.get("BENCH_SOCKETS", "500,1000").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
RATE = float(os.environ.get("BENCH_RATE", "50"))
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "4"))
HANDLE_SECONDS = 0.5  # how long a bench agent "talks" before completing the contact
CUSTOMERS = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the floor -------------------------------------------------------------------------------


def build_floor(env: dict[str, str], agents: int) -> dict[str, Any]:
    """Migrate, then one queue anyone may answer (no wrap-up), agents and customers in SQL."""
    from contactcentre.auth.users import hash_password
    from contactcentre.customers.value import refresh_value
    from contactcentre.settings import load_settings
    from contactcentre.store.db import Database
    from contactcentre.store.migrate import upgrade
    from contactcentre.store.models import Agent, Customer, CustomerPhone, Queue, User

    settings = load_settings(
        database_url=env["CC_DATABASE_URL"],
        redis_url=env["CC_REDIS_URL"],
        instance_path=Path(env["CC_INSTANCE_PATH"]),
    )
    upgrade(env["CC_DATABASE_URL"])
    db = Database(env["CC_DATABASE_URL"])
    password = hash_password("bench-password-1")  # one hash: Argon2 x 1,000 would take a minute
    with db.session() as session:
        queue = Queue(
            name="Bench",
            expression="true",
            strategy="longest_idle",
            wrap_up_seconds=0,
            offer_timeout_seconds=600,
            max_missed_offers=0,
        )
        session.add(queue)
        users = [
            User(email=f"agent{n}@bench.example", name=f"Agent {n}", password_hash=password)
            for n in range(agents)
        ]
        session.add_all(users)
        session.flush()
        session.add_all(Agent(user_id=u.id, display_name=u.name, attributes={}) for u in users)
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
        session.flush()
        agent_rows = session.query(Agent).order_by(Agent.id).all()
        floor = {
            "queue_id": queue.id,
            "agents": [(a.id, a.user_id) for a in agent_rows],
        }
    db.dispose()
    return floor


def session_cookies(env: dict[str, str], user_ids: list[int]) -> list[str]:
    """Signed Flask session cookies, as a sign-in would set them (1,000 Argon2 checks skipped)."""
    from flask import Flask

    app = Flask(__name__, root_path=str(ROOT))
    app.secret_key = env["CC_SECRET_KEY"]
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return [serializer.dumps({"_user_id": str(uid), "_fresh": True}) for uid in user_ids]


# -- agent sockets (client processes) ----------------------------------------------------------


def client_process(
    url: str, redis_url: str, agents: list[tuple[int, str]], pipes: tuple[Any, Any, Any]
) -> None:
    """Connect one socket per agent; on each offer: note the latency, accept, complete soon."""
    ready, results, stop = pipes
    import redis as redis_mod
    import socketio

    from contactcentre.router.commands import RoutingCommands
    from routing import events as ev

    commands = RoutingCommands(redis_mod.Redis.from_url(redis_url, decode_responses=True))
    received: list[tuple[str, float]] = []
    lock = threading.Lock()
    timers: list[threading.Timer] = []

    def make(agent_id: int) -> Any:
        def on_offer(envelope: dict[str, Any]) -> None:
            now = time.time()
            data = envelope["data"]
            if data.get("pop") is None:
                return  # counted as lost: an offer must carry its pop
            with lock:
                received.append((data["task_id"], now - float(data["at"])))
            commands.send(ev.OfferAccepted(data["reservation_id"]))
            timer = threading.Timer(
                HANDLE_SECONDS, commands.send, args=(ev.TaskCompleted(data["task_id"]),)
            )
            timer.daemon = True
            timer.start()
            timers.append(timer)

        return on_offer

    clients = []
    for agent_id, cookie in agents:
        client = socketio.Client(reconnection=True)
        client.on("offer_created", make(agent_id), namespace="/agent")
        for attempt in range(20):
            try:
                client.connect(
                    url,
                    headers={"Cookie": f"session={cookie}"},
                    namespaces=["/agent"],
                    transports=["websocket"],
                    wait_timeout=10,
                )
                break
            except socketio.exceptions.ConnectionError:
                time.sleep(0.2 * (attempt + 1))
        else:
            raise RuntimeError(f"agent {agent_id} could not connect")
        clients.append(client)
    ready.put(len(clients))
    while not stop.is_set():
        time.sleep(0.2)
        with lock:
            batch, received[:] = list(received), []
        for item in batch:
            results.put(item)
    time.sleep(0.5)
    with lock:
        for item in received:
            results.put(item)
    results.put(None)
    for client in clients:
        client.disconnect()


# -- the run ------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def submit_load(env: dict[str, str], queue_id: int, seconds: float) -> list[str]:
    """Submit tasks (with a customer each) at RATE per second through the real RoutingClient."""
    from contactcentre.platform.runtime import redis_client
    from contactcentre.router.client import RoutingClient
    from contactcentre.store.db import Database
    from contactcentre.store.models import Customer

    db = Database(env["CC_DATABASE_URL"])
    routing = RoutingClient(redis_client(env["CC_REDIS_URL"]))
    submitted = []
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < seconds:
        due = start + n / RATE
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        with db.session() as session:
            customer = session.get(Customer, n % CUSTOMERS + 1)
            interaction = routing.submit_task(
                session,
                channel="voice",
                attributes={"queue_id": str(queue_id), "intent": "billing", "ivr_path": ["bench"]},
                customer=customer,
            )
            submitted.append(interaction.id)
        n += 1
    db.dispose()
    return submitted


def sign_in_agents(env: dict[str, str], agent_ids: list[int]) -> None:
    import redis as redis_mod

    from contactcentre.router.client import RoutingClient
    from contactcentre.store.db import Database
    from contactcentre.store.models import Agent

    db = Database(env["CC_DATABASE_URL"])
    routing = RoutingClient(redis_mod.Redis.from_url(env["CC_REDIS_URL"], decode_responses=True))
    with db.session() as session:
        for agent_id in agent_ids:
            agent = session.get(Agent, agent_id)
            assert agent is not None
            routing.set_agent_state(agent, "available", None)
    db.dispose()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = [routing.agent_state(a)["state"] for a in agent_ids[-5:]]
        if all(s == "available" for s in states):
            return
        time.sleep(0.2)
    raise RuntimeError("agents never became available")


class QueueProbe:
    """Listens on the Socket.IO channel itself: how long until an offer is *published*, which
    splits the latency into router + notifier, and message queue + web process + socket."""

    def __init__(self, redis_url: str, channel: str) -> None:
        import redis as redis_mod

        self._pubsub = redis_mod.Redis.from_url(redis_url).pubsub()
        self._pubsub.subscribe(channel)
        self.latencies: list[float] = []
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
                self.latencies.append((time.time() - float(envelope["data"]["at"])) * 1000)

    def stop(self) -> list[float]:
        self._stop.set()
        return self.latencies


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
    submitted = submit_load(env, floor["queue_id"], SECONDS)
    time.sleep(3)  # stragglers
    stop.set()
    latencies: dict[str, float] = {}
    finished = 0
    while finished < len(procs):
        try:
            item = results.get(timeout=30)
        except queue_mod.Empty:
            break
        if item is None:
            finished += 1
            continue
        task_id, latency = item
        latencies.setdefault(task_id, latency)
    for proc in procs:
        proc.join(10)
    published = probe.stop()
    sign_out(env, [aid for aid, _c in agents])
    values = [latencies[t] * 1000 for t in submitted if t in latencies]
    lost = sum(1 for t in submitted if t not in latencies)
    return {
        "sockets": connected,
        "connect_seconds": round(connect_seconds, 1),
        "pops": len(submitted),
        "rate_per_s": RATE,
        "lost": lost,
        "p50_ms": round(statistics.median(values), 2) if values else None,
        "p99_ms": round(percentile(values, 99), 2) if values else None,
        "max_ms": round(max(values), 2) if values else None,
        "published_p50_ms": round(statistics.median(published), 2) if published else None,
        "published_p99_ms": round(percentile(published, 99), 2) if published else None,
    }


def sign_out(env: dict[str, str], agent_ids: list[int]) -> None:
    import redis as redis_mod

    from contactcentre.router.commands import RoutingCommands
    from routing import events as ev

    commands = RoutingCommands(redis_mod.Redis.from_url(env["CC_REDIS_URL"]))
    for agent_id in agent_ids:
        commands.send(ev.AgentSignedOut(str(agent_id)))
    time.sleep(2)


def wait_for(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"web process at {url} did not start")


def main() -> None:
    from contactcentre.platform.embedded_valkey import EmbeddedValkey

    work = Path(tempfile.mkdtemp(prefix="bench-screenpop-"))
    valkey = EmbeddedValkey(work / "valkey", persistent=False)
    redis_url = valkey.start()
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
    runs = []
    try:
        wait_for(url)
        for size in SIZES:
            result = measure(env, url, floor, cookies, size)
            print(
                f"{result['sockets']} sockets, {result['pops']} pops at {RATE:g}/s: "
                f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
                f"max {result['max_ms']} ms, lost {result['lost']} "
                f"(published to the queue: p50 {result['published_p50_ms']} ms, "
                f"p99 {result['published_p99_ms']} ms)",
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
        valkey.stop()
        shutil.rmtree(work, ignore_errors=True)
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
