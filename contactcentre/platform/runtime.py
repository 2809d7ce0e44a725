"""The per-process runtime: settings, the database handle and the Redis client, wired once.

Flask apps keep it in `app.extensions`; the router, dialer and workers build their own.
"""

from __future__ import annotations

import atexit
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis
from flask import current_app
from redis.backoff import EqualJitterBackoff
from redis.retry import Retry

from contactcentre.platform.heartbeat import Heartbeat
from contactcentre.settings import Settings
from contactcentre.store.db import Database

log = logging.getLogger(__name__)
EMBEDDED_URL_FILE = "embedded-valkey.url"


@dataclass
class Runtime:
    settings: Settings
    db: Database
    redis: redis.Redis
    redis_url: str
    heartbeat: Heartbeat | None = None  # the process's own, when the runtime owns it (web)
    # What else this process opened on the runtime's behalf (the Socket.IO listener), closed
    # first, while the database and Redis are still there.
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()
        for close in reversed(self.closers):
            try:
                close()
            except Exception:
                log.exception("could not close %r", close)
        self.db.dispose()
        self.redis.close()


REDIS_MAX_CONNECTIONS = 256
REDIS_POOL_WAIT_SECONDS = 5
# A command that finds Redis gone is tried again for about 4-8 s (backoff 0.05 s doubling to
# 1 s, half of it random so a floor of clients does not reconnect in step): a Redis restart
# is ridden out instead of failing the request, the job or the routing command. redis-py gives
# a client that builds its own pool 10 quick retries; one built on a pool, as here, got none.
REDIS_RETRIES = 12


def redis_retry() -> Retry:
    """The retry policy of every Redis connection of the platform (REDIS_RETRIES)."""
    return Retry(EqualJitterBackoff(cap=1.0, base=0.05), REDIS_RETRIES)


def redis_client(url: str) -> redis.Redis:
    """A client whose pool waits for a free connection rather than failing: a web process holds
    a thread per socket, and a burst of (dis)connects must not lose presence records."""
    pool = redis.BlockingConnectionPool.from_url(
        url,
        retry=redis_retry(),
        decode_responses=True,
        socket_timeout=5,
        socket_connect_timeout=3,
        health_check_interval=30,
        max_connections=REDIS_MAX_CONNECTIONS,
        timeout=REDIS_POOL_WAIT_SECONDS,
    )
    return redis.Redis(connection_pool=pool)


def resolve_redis_url(settings: Settings) -> str:
    """REDIS_URL if set; else the embedded Valkey `make run` started; else start one now."""
    if settings.redis_url:
        return settings.redis_url
    marker = settings.instance_path / EMBEDDED_URL_FILE
    if marker.exists():
        url = marker.read_text().strip()
        try:
            redis_client(url).ping()
            return url
        except redis.RedisError:
            log.warning("embedded Valkey at %s is not answering; starting a new one", url)
    return _start_embedded(settings.instance_path)


def _start_embedded(instance_path: Path) -> str:
    from contactcentre.platform.embedded_valkey import EmbeddedValkey

    server = EmbeddedValkey(instance_path / "valkey")
    url = server.start()
    (instance_path / EMBEDDED_URL_FILE).write_text(url)
    atexit.register(server.stop)
    log.info("started embedded Valkey at %s", url)
    return url


def build_runtime(settings: Settings, *, switch_ms: float | None = None) -> Runtime:
    """The process's adapters; `switch_ms` overrides settings.thread_switch_ms for this kind
    of process (web processes pass web_thread_switch_ms)."""
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    # How long a busy thread keeps the GIL from the others. The router's and notifier's few
    # threads hand work on through locks and queues: at 0.5 ms a thread back from Redis does
    # not wait up to 5 ms behind a busy one (the screen pop's p99 at 1,000 sockets: 14-24 ms,
    # 35 ms at 5 ms).
    sys.setswitchinterval((settings.thread_switch_ms if switch_ms is None else switch_ms) / 1000)
    url = resolve_redis_url(settings)
    database = Database(
        settings.effective_database_url,
        **_pool_options(settings.effective_database_url, settings),
    )
    return Runtime(settings, database, redis_client(url), url)


def _pool_options(url: str, settings: Settings) -> dict[str, int]:
    """A threaded web process serves hundreds of threads, and a request may briefly hold two
    connections (a hook after commit): a small pool can starve every request at once."""
    if url.startswith("sqlite"):
        return {}  # Database sizes SQLite's own pool (connections are cheap there)
    return {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_max_overflow,
    }


def current_runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["contactcentre"]
    return runtime
