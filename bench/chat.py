"""Chat delivery: customers and agents exchanging messages through the real path.

Real processes: the Procfile's gunicorn web process and `contactcentre router`, on an embedded
Valkey and a SQLite file. BENCH_CUSTOMERS customer sockets (default 1,000) on /chat, each with a
conversation started through the widget's HTTP API and routed by the ACD to one of BENCH_AGENTS
agent sockets (default 100) on /agent (capacity raised to hold the chats). Once the routing
pipeline has drained (every chat routed, accepted and logged), each customer sends a message
every BENCH_INTERVAL seconds over its socket, and its agent answers each one through the agents'
HTTP API; every message is persisted before it is delivered. BENCH_WEB_WORKERS web processes
(default 1); BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL.

Latency = the receiving socket's clock - the sender's clock when it sent (same machine), both
directions; lost = messages acknowledged as stored but never received by the other side.
The last line printed is JSON.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue as queue_mod
import random
import signal
import statistics
import subprocess
import sys
import time
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

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "1000"))
AGENTS = int(os.environ.get("BENCH_AGENTS", "100"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
INTERVAL = float(os.environ.get("BENCH_INTERVAL", "20"))  # per customer: 1,000 / 20 = 50 msg/s
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "2"))
# Web processes (gunicorn workers): every client here speaks websocket only, so no sticky
# sessions are needed between them; the Socket.IO message queue joins their rooms.
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "1"))
# BENCH_DUMP=path writes every delivery (direction, sent at, latency ms) as JSON, for plotting
# the latency over the run.
DUMP = os.environ.get("BENCH_DUMP")


def reset_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build_floor(env: dict[str, str]) -> dict[str, Any]:
    """A chat queue anyone may answer, agents who can hold many chats, one chat site."""
    from contactcentre.auth.users import issue_api_token
    from contactcentre.store.models import ChatSite

    per_agent = -(-CUSTOMERS // AGENTS) + 2
    capacity = {"units": {"chat": 1}, "limits": {"chat": per_agent}, "total_units": per_agent}
    with floor(env["CC_DATABASE_URL"], "Chat", AGENTS, capacity=capacity) as (session, queue, rows):
        site = ChatSite(
            name="Bench", widget_key="wk_bench", allowed_origins=[env["BENCH_ORIGIN"]],
            queue_id=queue.id, bot_enabled=False,
        )  # fmt: skip
        session.add(site)
        tokens = [issue_api_token(session, agent.user, "bench") for agent in rows]
        return {
            "agents": [(a.id, a.user_id) for a in rows],
            "tokens": tokens,
            "queue_id": queue.id,
        }


# -- client processes -------------------------------------------------------------------------


def watch_collector(name: str) -> Any:
    """Record this client process's garbage-collection pauses: a pause here delays the
    timestamps the bench takes, so it is reported beside the latencies it may inflate."""
    import gc

    pauses: list[float] = []
    started: list[float] = []

    def callback(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(callback)

    def report() -> None:
        longest = max(pauses, default=0.0)
        print(f"{name}: {len(pauses)} collections, longest {longest:.1f} ms", flush=True)

    return report


def agent_process(url: str, redis_url: str, agents: list[tuple[int, str, str]], pipes: Any) -> None:
    import asyncio

    asyncio.run(_agents(url, redis_url, agents, pipes))


async def _agents(url: str, redis_url: str, agents: list[tuple[int, str, str]], pipes: Any) -> None:
    """Accept every chat offer, follow its room, answer every customer message over HTTP."""
    import asyncio

    import aiohttp
    import redis.asyncio as aredis
    import socketio

    from contactcentre.router.streams import COMMANDS, COMMANDS_MAXLEN
    from routing import events as ev

    ready, results, stop = pipes
    commands = aredis.Redis.from_url(redis_url, decode_responses=True)
    http = aiohttp.ClientSession()
    received: list[tuple[str, float, float]] = []  # message id, sent at, received at
    offers: list[str] = []
    seen_conversations: set[str] = set()
    tasks: set[Any] = set()

    def spawn(coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def reply(token: str, interaction_id: str, text: str) -> None:
        ident = text.split("|", maxsplit=1)[0]
        body = {"body": f"re:{text}|{time.time()}", "client_id": "r-" + ident}
        async with http.post(
            f"{url}/api/v1/chats/{interaction_id}/messages",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            if response.status != 201:
                print("agent reply failed", response.status, await response.text(), flush=True)

    def connect_one(agent_id: int, cookie: str, token: str) -> Any:
        client = socketio.AsyncClient(reconnection=True)

        async def take(data: dict[str, Any]) -> None:
            fields = {"event": json.dumps(ev.OfferAccepted(data["reservation_id"]).to_dict())}
            await commands.xadd(COMMANDS, fields, maxlen=COMMANDS_MAXLEN, approximate=True)  # type: ignore[arg-type]
            room = f"interaction:{data['task_id']}"
            joined = await client.call("join", {"room": room}, namespace="/agent", timeout=30)
            if not joined.get("ok"):
                print("agent could not join", room, joined, flush=True)

        async def on_offer(envelope: dict[str, Any]) -> None:
            # Handlers must not wait for an answer from the server: spawn the work.
            offers.append(envelope["data"]["task_id"])
            spawn(take(envelope["data"]))

        async def on_message(envelope: dict[str, Any]) -> None:
            now = time.time()
            data = envelope["data"]
            if data["author"]["kind"] != "customer":
                return
            ident, sent = data["body"].split("|")
            seen_conversations.add(data["interaction_id"])
            received.append((ident, float(sent), now))
            spawn(reply(token, data["interaction_id"], data["body"]))

        client.on("offer_created", on_offer, namespace="/agent")
        client.on("chat_message", on_message, namespace="/agent")
        return client, cookie

    clients = []
    for agent_id, cookie, token in agents:
        client, _ = connect_one(agent_id, cookie, token)
        await client.connect(
            url, headers={"Cookie": f"session={cookie}"}, namespaces=["/agent"],
            transports=["websocket"], wait_timeout=10,
        )  # fmt: skip
        clients.append(client)
    collector = watch_collector("agents")
    ready.put(len(clients))
    loop = asyncio.get_running_loop()
    while not await loop.run_in_executor(None, stop.wait, 0.2):
        batch, received[:] = list(received), []
        for item in batch:
            results.put(("agent", *item))
    await asyncio.sleep(1.0)
    for item in received:
        results.put(("agent", *item))
    collector()
    print(
        f"agents: {len(offers)} offers of {len(set(offers))} chats; "
        f"messages from {len(seen_conversations)} of them",
        flush=True,
    )
    results.put(None)
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    await http.close()
    await commands.aclose()


def customer_process(url: str, origin: str, count: int, index: int, pipes: Any) -> None:
    import asyncio

    asyncio.run(_customers(url, origin, count, index, pipes))


async def _customers(url: str, origin: str, count: int, index: int, pipes: Any) -> None:
    """Start conversations, connect, then send a message every INTERVAL s each."""
    import asyncio

    import aiohttp
    import socketio

    ready, results, stop, go = pipes
    http = aiohttp.ClientSession(headers={"Origin": origin})
    received: list[tuple[str, float, float]] = []
    acked: list[str] = []
    statuses: list[str] = []
    clients: list[tuple[Any, str]] = []

    async def start(n: int) -> tuple[Any, str]:
        body = {
            "widget_key": "wk_bench",
            "name": f"Visitor {index}-{n}",
            "visitor_id": f"v{index}-{n}",
        }
        async with http.post(f"{url}/chat/api/conversations", json=body) as response:
            started = await response.json()
            statuses.append(
                str(started.get("status")) + ("/leave" if started.get("leave_message") else "")
            )
            if response.status != 201:
                raise RuntimeError(f"could not start a conversation: {started}")
        client = socketio.AsyncClient(reconnection=True, websocket_extra_options={"origin": origin})

        async def on_message(envelope: dict[str, Any]) -> None:
            now = time.time()
            data = envelope.get("data", envelope)
            if data.get("author", {}).get("kind") != "agent":
                return
            ident, sent = (
                data["body"].removeprefix("re:").split("|")[0],
                data["body"].split("|")[-1],
            )
            received.append((ident, float(sent), now))

        client.on("message", on_message, namespace="/chat")
        await client.connect(
            url, auth={"token": started["token"], "last_seq": 0}, namespaces=["/chat"],
            transports=["websocket"], wait_timeout=10, headers={},
        )  # fmt: skip
        return client, f"{index}-{n}"

    for first in range(0, count, 20):
        clients += await asyncio.gather(*(start(n) for n in range(first, min(count, first + 20))))
    collector = watch_collector(f"customers {index}")
    ready.put(len(clients))
    from collections import Counter

    print("customers started:", Counter(statuses), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, go.wait)

    async def talk(client: Any, name: str) -> None:
        await asyncio.sleep(random.random() * INTERVAL)
        n = 0
        while not stop.is_set():
            ident = f"{name}.{n}"
            reply = await client.call(
                "message", {"body": f"{ident}|{time.time()}", "client_id": ident},
                namespace="/chat", timeout=30,
            )  # fmt: skip
            if reply.get("ok"):
                acked.append(ident)
            n += 1
            await asyncio.sleep(INTERVAL)

    talkers = [asyncio.ensure_future(talk(c, name)) for c, name in clients]
    while not await loop.run_in_executor(None, stop.wait, 0.2):
        for item in received[:]:
            results.put(("customer", *item))
        received.clear()
        for ident in acked[:]:
            results.put(("acked", ident, 0.0, 0.0))
        acked.clear()
    for talker in talkers:
        talker.cancel()
    await asyncio.sleep(2.0)
    for item in received:
        results.put(("customer", *item))
    for ident in acked:
        results.put(("acked", ident, 0.0, 0.0))
    collector()
    results.put(None)
    await asyncio.gather(*(c.disconnect() for c, _ in clients), return_exceptions=True)
    await http.close()


# -- the run ----------------------------------------------------------------------------------


def collect(
    results: Any, producers: int, timeline: list[tuple[str, float, float]]
) -> tuple[dict[str, float], dict[str, float], set[str]]:
    """Latencies (ms) by message id, each direction, and the ids the server acknowledged;
    `timeline` gets every delivery as (direction, sent at, latency ms)."""
    to_agent: dict[str, float] = {}
    to_customer: dict[str, float] = {}
    acked: set[str] = set()
    finished = 0
    while finished < producers:
        try:
            item = results.get(timeout=60)
        except queue_mod.Empty:
            break
        if item is None:
            finished += 1
            continue
        kind, ident, sent, got = item
        if kind == "acked":
            acked.add(ident)
            continue
        latency = (got - sent) * 1000
        timeline.append((kind, sent, latency))
        (to_agent if kind == "agent" else to_customer).setdefault(ident, latency)
    return to_agent, to_customer, acked


def wait_until_routing_settled(redis_url: str, quiet: float = 2.0, timeout: float = 300) -> float:
    """Seconds until every consumer group of the routing pipeline (the router on the commands,
    the sinks on the outbox) has read and acknowledged everything, for `quiet` seconds on end
    (an accepted offer appends a command after the router looked idle)."""
    import redis as redis_mod

    from contactcentre.router.streams import COMMANDS, OUTBOX

    client = redis_mod.Redis.from_url(redis_url, decode_responses=True)
    started = time.monotonic()
    settled_since: float | None = None
    try:
        while time.monotonic() - started < timeout:
            now = time.monotonic()
            if all(_drained(client, stream) for stream in (COMMANDS, OUTBOX)):
                if settled_since is None:
                    settled_since = now
                if now - settled_since >= quiet:
                    return settled_since - started
            else:
                settled_since = None
            time.sleep(0.1)
    finally:
        client.close()
    raise RuntimeError(f"the routing pipeline was still busy after {timeout:g} s")


def _drained(client: Any, stream: str) -> bool:
    """Every group on `stream` has been handed its last entry and acknowledged it (a stream
    nothing has been written to yet has nothing waiting)."""
    if not client.exists(stream):
        return True
    last = client.xinfo_stream(stream)["last-generated-id"]
    return all(
        group["pending"] == 0 and group["last-delivered-id"] == last
        for group in client.xinfo_groups(stream)
    )


def machine_cpu() -> list[int] | None:
    """The machine's CPU time counters (Linux /proc/stat: user ... steal), or None elsewhere."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    return [int(value) for value in first[1:9]]


def machine_share(before: list[int] | None, after: list[int] | None) -> dict[str, float]:
    """Busy and stolen percent of all cores between two readings of `machine_cpu`."""
    if before is None or after is None:
        return {}
    spent = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(spent) or 1
    idle = spent[3] + spent[4]  # idle, iowait
    return {
        "busy": round(100 * (total - idle - spent[7]) / total, 1),
        "steal": round(100 * spent[7] / total, 1),
    }


def main() -> None:
    with scratch("chat") as (work, redis_url):
        run(work, redis_url)


def run(work: Path, redis_url: str) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        # BENCH_DATABASE_URL=postgresql://... runs it on PostgreSQL (its schema is reset).
        "CC_DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{work / 'bench.sqlite3'}",
        "CC_REDIS_URL": redis_url,
        "CC_SECRET_KEY": "bench-secret-key",
        "CC_INSTANCE_PATH": str(work / "instance"),
        "CC_PUBLIC_BASE_URL": url,
        "CC_PROCESSES": "",
        "CC_LOG_LEVEL": "WARNING",
        "CC_SOCKETIO_CHANNEL": "cc-bench-chat",
        "CC_REALTIME_GRACE_SECONDS": "600",
        "CC_CHAT_CONVERSATIONS_PER_HOUR": "1000000",
        "CC_CHAT_MESSAGES_PER_MINUTE": "1000",
        "CC_CHAT_SOCKETS_PER_ADDRESS": "1000000",  # every customer is on loopback
        "BENCH_ORIGIN": "https://shop.bench.example",
        # BENCH_PYTHONPATH adds to the servers' path (e.g. a sitecustomize that profiles them).
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT), os.environ.get("BENCH_PYTHONPATH")])
        ),
    }
    if env["CC_DATABASE_URL"].startswith("postgresql"):
        reset_schema(env["CC_DATABASE_URL"])
    floor = build_floor(env)
    cookies = session_cookies(env, [uid for _aid, uid in floor["agents"]])
    python = sys.executable
    router = subprocess.Popen([python, "-m", "contactcentre", "router"], env=env, cwd=ROOT)
    web = subprocess.Popen(
        [
            python, "-m", "gunicorn", "--worker-class", "gthread", "--workers", str(WEB_WORKERS),
            "--threads", str(CUSTOMERS + AGENTS + 200),
            "--worker-connections", str(CUSTOMERS + AGENTS + 200), "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning", "contactcentre:create_app()",
        ],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    ctx = mp.get_context("spawn")
    procs: list[Any] = []
    timeline: list[tuple[str, float, float]] = []
    try:
        wait_for_web(url, web)
        ready, results, stop, go = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
        agents = [
            (aid, cookies[i], floor["tokens"][i]) for i, (aid, _uid) in enumerate(floor["agents"])
        ]
        procs.append(
            ctx.Process(
                target=agent_process,
                args=(url, redis_url, agents, (ready, results, stop)),
                daemon=True,
            )
        )
        per = CUSTOMERS // CLIENT_PROCESSES
        for i in range(CLIENT_PROCESSES):
            count = per + (CUSTOMERS % CLIENT_PROCESSES if i == 0 else 0)
            procs.append(
                ctx.Process(
                    target=customer_process,
                    args=(url, env["BENCH_ORIGIN"], count, i, (ready, results, stop, go)),
                    daemon=True,
                )
            )
        started = time.monotonic()
        # Agents' consoles first, then they go available, then the customers arrive: an offer
        # must find its agent's socket connected (the bench clients do not replay missed ones).
        procs[0].start()
        connected = [ready.get(timeout=900)]
        sign_in_agents(env, [aid for aid, _c, _t in agents])
        for proc in procs[1:]:
            proc.start()
        connected += [ready.get(timeout=900) for _ in procs[1:]]
        setup_seconds = time.monotonic() - started
        # Measure the exchange, not the end of the setup: on PostgreSQL the router was still
        # routing and logging the last of the 1,000 starts and accepts for seconds after a
        # fixed pause, and the first second of messages queued behind it.
        settle_seconds = wait_until_routing_settled(redis_url)
        cpu_before = machine_cpu()
        go.set()
        time.sleep(SECONDS)
        stop.set()
        machine = machine_share(cpu_before, machine_cpu())
        to_agent, to_customer, acked = collect(results, len(procs), timeline)
    finally:
        stop_all = [web, router]
        for proc in procs:
            proc.join(10)
        for proc in stop_all:
            proc.send_signal(signal.SIGTERM)
        for proc in stop_all:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    if DUMP:
        Path(DUMP).write_text(json.dumps(timeline))
    # A message sent in the last second may still be on its way when the run stops: only
    # messages acknowledged (stored) count, and an agent's answer needs its question delivered.
    lost_to_agent = sorted(acked - set(to_agent))
    lost_to_customer = sorted(set(to_agent) - set(to_customer))
    both = list(to_agent.values()) + list(to_customer.values())

    def stats(values: list[float]) -> dict[str, float | None]:
        if not values:
            return {"p50_ms": None, "p99_ms": None, "max_ms": None}
        return {
            "p50_ms": round(statistics.median(values), 2),
            "p99_ms": round(percentile(values, 99), 2),
            "max_ms": round(max(values), 2),
        }

    summary = {
        "bench": "chat",
        "customer_sockets": sum(connected[1:]),
        "agent_sockets": connected[0],
        "setup_seconds": round(setup_seconds, 1),
        "settle_seconds": round(settle_seconds, 1),
        # The whole machine over the measured window: busy (everything, the bench included)
        # and stolen by the hypervisor, so a run on a noisy host says so.
        "machine_busy_percent": machine.get("busy"),
        "machine_steal_percent": machine.get("steal"),
        "seconds": SECONDS,
        "messages_customer_to_agent": len(to_agent),
        "messages_agent_to_customer": len(to_customer),
        "rate_per_s": round((len(to_agent) + len(to_customer)) / SECONDS, 1),
        "customer_to_agent": stats(list(to_agent.values())),
        "agent_to_customer": stats(list(to_customer.values())),
        "all": stats(both),
        "lost_to_agent": len(lost_to_agent),
        "lost_to_customer": len(lost_to_customer),
        "goal": "p99 <= 50 ms, zero lost",
    }
    p99 = summary["all"]["p99_ms"]
    summary["goal_met"] = bool(
        p99 is not None and p99 <= 50 and not lost_to_agent and not lost_to_customer
    )
    print(
        f"{summary['customer_sockets']} customers, {summary['agent_sockets']} agents, "
        f"{summary['rate_per_s']} msg/s for {SECONDS:g} s:\n"
        f"  customer→agent {summary['customer_to_agent']}\n"
        f"  agent→customer {summary['agent_to_customer']}\n"
        f"  lost {len(lost_to_agent)} to agents, {len(lost_to_customer)} to customers",
        flush=True,
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
