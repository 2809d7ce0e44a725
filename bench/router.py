"""Router end to end: routing command appended -> offer published to the agent's Socket.IO room.

Runs the real router process (`python -m contactcentre router`) on an embedded Valkey and SQLite,
drives it at a fixed command rate with scripted agents, and listens on the Socket.IO message
queue channel, which is where web processes pick offers up. Prints p50/p99 and their ratio to
a single-connection Redis round trip measured in the same run. A second phase leaves offers
unanswered and measures timer lateness (offer expiry published vs its deadline; goal <= 100 ms).
The last line is JSON.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, scratch  # noqa: E402
from contactcentre.router.commands import RoutingCommands  # noqa: E402
from contactcentre.router.streams import LEADER  # noqa: E402
from contactcentre.store.db import Database  # noqa: E402
from contactcentre.store.migrate import upgrade  # noqa: E402
from routing import events as ev  # noqa: E402
from tests.builders import add_queue  # noqa: E402

COMMANDS_PER_SECOND = 100  # submits + accepts + completions together
DURATION = float(os.environ.get("BENCH_SECONDS", "30"))
AGENTS = 200
TALK_SECONDS = 2.0
CHANNEL = "bench-router-socketio"  # the Socket.IO message-queue channel web processes read


def redis_round_trips(client: redis.Redis, n: int = 2000) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        client.ping()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    with scratch("router") as (work, url):
        run(work, url)


def run(work: Path, url: str) -> None:
    db_url = f"sqlite:///{work / 'db.sqlite3'}"
    upgrade(db_url)
    database = Database(db_url)
    with database.session() as session:
        # 1 s offer timeout for the expiry phase; no missed-offer breaks so agents stay available.
        add_queue(session, "Bench", offer_timeout_seconds=1, max_missed_offers=0)
    env = {
        **os.environ,
        "CC_DATABASE_URL": db_url,
        "CC_REDIS_URL": url,
        "CC_INSTANCE_PATH": str(work / "instance"),
        "CC_LOG_LEVEL": "WARNING",
        "CC_SOCKETIO_CHANNEL": CHANNEL,
    }
    router = subprocess.Popen([sys.executable, "-m", "contactcentre", "router"], cwd=ROOT, env=env)
    client = redis.Redis.from_url(url, decode_responses=True)
    commands = RoutingCommands(client)
    sent: dict[str, float] = {}
    expiries: dict[str, float] = {}
    latencies: list[float] = []
    lost_lock = threading.Lock()
    try:
        while not client.get(LEADER):
            time.sleep(0.05)
        for n in range(AGENTS):
            commands.send(ev.AgentSignedIn(f"a{n}"))
        pubsub = client.pubsub()
        pubsub.subscribe(CHANNEL)
        pending_completions: list[tuple[float, str]] = []
        stop = threading.Event()
        answering = threading.Event()
        answering.set()
        lateness: list[float] = []

        def listen() -> None:
            for message in pubsub.listen():
                if stop.is_set():
                    return
                if message["type"] != "message":
                    continue
                packet = json.loads(message["data"])
                if packet.get("namespace") != "/agent":
                    continue
                # Socket.IO sends the emit's arguments as a list; ours is one numbered envelope.
                data = packet["data"][0]["data"]
                if packet.get("event") == "offer_rescinded" and data["reason"] == "expired":
                    expired_at = expiries.pop(data["reservation_id"], None)
                    if expired_at is not None:
                        lateness.append((time.time() - expired_at) * 1000)
                    continue
                if packet.get("event") != "offer_created":
                    continue
                arrived = time.perf_counter()
                if not answering.is_set():
                    expiries[data["reservation_id"]] = data["expires_at"]
                    continue
                with lost_lock:
                    started = sent.pop(data["task_id"], None)
                    if started is not None:
                        latencies.append((arrived - started) * 1000)
                    pending_completions.append((time.time() + TALK_SECONDS, data["task_id"]))
                commands.send(ev.OfferAccepted(data["reservation_id"]))

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(1.0)
        # Each task costs three commands (submit, accept, complete): submit at a third the rate.
        interval = 3.0 / COMMANDS_PER_SECOND
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < DURATION:
            task = f"t{n}"
            with lost_lock:
                sent[task] = time.perf_counter()
            commands.send(
                ev.TaskSubmitted(task, attributes={"queue_id": "1"}, created_at=time.time())
            )
            n += 1
            with lost_lock:
                due = [t for at, t in pending_completions if at <= time.time()]
                pending_completions[:] = [
                    (at, t) for at, t in pending_completions if at > time.time()
                ]
            for task_id in due:
                commands.send(ev.TaskCompleted(task_id))
            time.sleep(max(0.0, start + n * interval - time.monotonic()))
        time.sleep(2.0)
        # Expiry phase: offers nobody answers; each must be rescinded at its deadline.
        answering.clear()
        for k in range(50):
            commands.send(
                ev.TaskSubmitted(f"x{k}", attributes={"queue_id": "1"}, created_at=time.time())
            )
            time.sleep(0.1)
        time.sleep(2.5)
        stop.set()
        # The unsubscribe reply wakes the listener, which sees `stop` and returns; closing the
        # connection under a blocked read would kill its thread with a traceback instead.
        pubsub.unsubscribe()
        listener.join(5)
        pubsub.close()
        rtt = redis_round_trips(redis.Redis.from_url(url))
    finally:
        router.terminate()
        router.wait(10)
    submitted = n
    lost = len(sent)
    result = {
        "bench": "router_end_to_end",
        "commands_per_second": COMMANDS_PER_SECOND,
        "tasks": submitted,
        "offers_measured": len(latencies),
        "lost": lost,
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2),
        "redis_rtt_p50_ms": round(statistics.median(rtt), 3),
        "redis_rtt_p99_ms": round(percentile(rtt, 99), 3),
        "goal_p99_ms": 20,
        "timer_lateness_p50_ms": round(statistics.median(lateness), 1),
        "timer_lateness_max_ms": round(max(lateness), 1),
        "timers_measured": len(lateness),
        "goal_timer_lateness_ms": 100,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    result["p50_over_rtt"] = round(result["p50_ms"] / result["redis_rtt_p50_ms"], 1)
    result["p99_over_rtt_p99"] = round(result["p99_ms"] / result["redis_rtt_p99_ms"], 1)
    print(f"tasks submitted {submitted}, offers measured {len(latencies)}, lost {lost}")
    print(
        f"append -> offer published: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms "
        f"(goal p99 <= 20 ms)"
    )
    print(
        f"Redis round trip (1 connection): p50 {result['redis_rtt_p50_ms']} ms, "
        f"p99 {result['redis_rtt_p99_ms']} ms; ratio p50 {result['p50_over_rtt']}x, "
        f"p99 {result['p99_over_rtt_p99']}x"
    )
    print(
        f"timer lateness (offer expiry published after its deadline): p50 "
        f"{result['timer_lateness_p50_ms']} ms, max {result['timer_lateness_max_ms']} ms over "
        f"{len(lateness)} expiries (goal <= 100 ms)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
