"""GET /healthz: the state of the database, Redis and each expected process.

200 when everything is up; 503 with the names of what is down (load balancers read the status).
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
    components: dict[str, dict[str, Any]] = {}
    try:
        with runtime.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        components["database"] = {"ok": True, "dialect": runtime.db.engine.dialect.name}
    except SQLAlchemyError as exc:
        components["database"] = {"ok": False, "error": type(exc).__name__}
    redis_ok = False
    try:
        runtime.redis.ping()
        redis_ok = True
        components["redis"] = {"ok": True}
    except redis.RedisError as exc:
        components["redis"] = {"ok": False, "error": type(exc).__name__}
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
