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
    for name in runtime.settings.expected_processes():
        if name == "web":
            # This answer is itself the web process's proof of life.
            processes[name] = {"ok": True, "instances": 1}
            continue
        if not redis_ok:
            processes[name] = {"ok": False, "error": "unknown while Redis is down"}
            continue
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


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    report = check(current_runtime())
    return jsonify(report), 200 if not report["down"] else 503
