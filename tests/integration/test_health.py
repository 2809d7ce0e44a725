"""GET /healthz reports the database, Redis and each expected process; GET /readyz only
whether the web process asked can serve."""

from __future__ import annotations

import os
from typing import Any

from contactcentre.app import create_app
from contactcentre.health import check
from contactcentre.platform import heartbeat
from contactcentre.platform.heartbeat import beat
from contactcentre.platform.runtime import build_runtime
from contactcentre.settings import Settings


def test_healthy_platform_answers_200(client: Any) -> None:
    """With the database and Redis up and no other process expected, health is 200 and ok."""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert body["down"] == []


def test_missing_process_gives_503_naming_it(app: Any, client: Any) -> None:
    """An expected process with no heartbeat makes health 503 and names the process."""
    settings: Settings = app.extensions["contactcentre"].settings
    settings.processes = ["web", "router"]
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["process:router"]


def test_heartbeat_makes_process_healthy(app: Any, client: Any, redis_client: Any) -> None:
    """A process that beats in Redis counts as up."""
    app.extensions["contactcentre"].settings.processes = ["web", "worker"]
    beat(redis_client, "worker", interval=5)
    body = client.get("/healthz").get_json()
    assert body["processes"]["worker"] == {"ok": True, "instances": 1}


def test_web_is_down_when_no_web_process_beats(settings: Settings, redis_client: Any) -> None:
    """Health checked outside any web process (as the CLI does) finds web down with no web beat."""
    settings.processes = ["web"]
    runtime = build_runtime(settings)
    try:
        report = check(runtime)
    finally:
        runtime.close()
    assert report["down"] == ["process:web"]
    assert report["processes"]["web"] == {"ok": False, "instances": 0}


def test_web_process_beats_until_closed(settings: Settings, redis_client: Any) -> None:
    """A web process beats its own heartbeat while it runs and withdraws it when it stops."""
    web = create_app(settings)
    assert [i["pid"] for i in heartbeat.alive(redis_client, "web")] == [os.getpid()]
    web.extensions["contactcentre"].close()
    assert heartbeat.alive(redis_client, "web") == []


def test_worker_without_scheduler_is_degraded(app: Any, client: Any, redis_client: Any) -> None:
    """A live worker whose queues no scheduler holds makes health 503 naming the scheduler."""
    app.extensions["contactcentre"].settings.processes = ["web", "worker"]
    beat(redis_client, "worker", interval=5)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["down"] == ["process:scheduler"]
    assert body["processes"]["scheduler"]["unscheduled_queues"] == ["high", "default", "low"]


def test_redis_down_is_reported(app: Any, client: Any) -> None:
    """When Redis does not answer, health is 503 and says redis is down."""
    import redis

    runtime = app.extensions["contactcentre"]
    runtime.redis = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "redis" in response.get_json()["down"]


def test_ready_while_another_process_is_down(app: Any, client: Any) -> None:
    """A missing router makes the platform degraded, not this web process unready: a balancer
    reading /readyz keeps serving from it (reading /healthz it took every web process out)."""
    app.extensions["contactcentre"].settings.processes = ["web", "router", "worker"]
    assert client.get("/healthz").status_code == 503
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["down"] == []
    assert body["database"]["ok"] and body["redis"]["ok"]


def test_unready_without_redis(app: Any, client: Any) -> None:
    """A web process that cannot reach Redis cannot serve sockets or sign-ins: 503 naming it."""
    import redis

    runtime = app.extensions["contactcentre"]
    runtime.redis = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["redis"]
