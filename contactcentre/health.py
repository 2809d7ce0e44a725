"""GET /healthz: the state of the database, Redis and each expected process; GET /readyz:
whether this web process can serve.

/healthz is 200 when everything is up, 503 with the names of what is down: the platform's
health, for monitoring and `contactcentre health`. A load balancer must not read it: one late
router or worker heartbeat makes every web process answer 503 at once, and the balancer then
takes them all out of the pool together although each could serve (the scale-out bench met
exactly that on a saturated machine). /readyz answers for the process asked: 200 when it
reaches the database and Redis, 503 naming which it cannot.
"""

from __future__ import annotations

from typing import Any

import redis
from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from contactcentre.platform import heartbeat
from contactcentre.platform.runtime import Runtime, current_runtime
from contactcentre.platform.scheduler import QUEUES, lock_holder

bp = Blueprint("health", __name__)


def check(runtime: Runtime) -> dict[str, Any]:
    components = _stores(runtime)
    redis_ok = components["redis"]["ok"]
    processes: dict[str, dict[str, Any]] = {}
    expected = runtime.settings.expected_processes()
    if "worker" in expected and "scheduler" not in expected:
        # Workers run RQ's scheduler: without it retries and booked callbacks never come due.
        expected = [*expected, "scheduler"]
    for name in expected:
        if not redis_ok:
            processes[name] = {"ok": False, "error": "unknown while Redis is down"}
        elif name == "scheduler":
            processes[name] = _scheduler(runtime.redis)
        else:
            # Web processes too: the one answering is alive, but the CLI's check runs in none.
            instances = heartbeat.alive(runtime.redis, name)
            processes[name] = {"ok": bool(instances), "instances": len(instances)}
    down = [n for n, c in components.items() if not c["ok"]]
    down += [f"process:{n}" for n, p in processes.items() if not p["ok"]]
    return {
        "status": "ok" if not down else "degraded",
        "down": down,
        **components,
        "processes": processes,
    }


def _stores(runtime: Runtime) -> dict[str, dict[str, Any]]:
    """The database and Redis as this process reaches them."""
    components: dict[str, dict[str, Any]] = {}
    try:
        with runtime.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        components["database"] = {"ok": True, "dialect": runtime.db.engine.dialect.name}
    except SQLAlchemyError as exc:
        components["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        runtime.redis.ping()
        components["redis"] = {"ok": True}
    except redis.RedisError as exc:
        components["redis"] = {"ok": False, "error": type(exc).__name__}
    return components


def _scheduler(client: redis.Redis) -> dict[str, Any]:
    """Up when every worker queue's scheduler lock is held by a scheduler that still beats."""
    holders = [lock_holder(client, queue) for queue in QUEUES]
    live = {h.queue: h.name for h in holders if h is not None and h.alive}
    unscheduled = [queue for queue in QUEUES if queue not in live]
    report: dict[str, Any] = {"ok": not unscheduled, "instances": len(set(live.values()))}
    if unscheduled:
        report["unscheduled_queues"] = unscheduled
    return report


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    report = check(current_runtime())
    return jsonify(report), 200 if not report["down"] else 503


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """For the load balancer: this process's own stores only, never another process's beat."""
    components = _stores(current_runtime())
    down = [name for name, component in components.items() if not component["ok"]]
    return jsonify({"status": "ok" if not down else "unready", "down": down, **components}), (
        200 if not down else 503
    )
