"""Process heartbeats in Redis, so /healthz can tell which Procfile processes are alive.

Each process refreshes a key with a TTL of three beats; a dead process simply expires.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from typing import Any

import redis

log = logging.getLogger(__name__)
KEY_PREFIX = "cc:process:"


def key(name: str) -> str:
    """This process's heartbeat key for a process type."""
    return f"{KEY_PREFIX}{name}:{socket.gethostname()}:{os.getpid()}"


def beat(client: redis.Redis, name: str, interval: float) -> None:
    value = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "at": time.time()})
    client.set(key(name), value, ex=max(1, round(interval * 3)))


def alive(client: redis.Redis, name: str) -> list[dict[str, Any]]:
    """Heartbeats of the live instances of one process type."""
    instances = []
    for key in client.scan_iter(match=f"{KEY_PREFIX}{name}:*", count=100):
        raw = client.get(key)
        if raw:
            instances.append(json.loads(raw))
    return instances


class Heartbeat:
    """A daemon thread that beats until stopped; Redis outages are logged, not fatal."""

    def __init__(self, client: redis.Redis, name: str, interval: float) -> None:
        self._client = client
        self._name = name
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{name}", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating and withdraw the key: a process that stopped is down at once."""
        self._stop.set()
        if self._thread.is_alive():
            # Joined first, so a beat in flight cannot write the key back after the delete.
            self._thread.join(timeout=max(1.0, self._interval))
        try:
            self._client.delete(key(self._name))
        except redis.RedisError as exc:
            log.warning("heartbeat of %s not withdrawn (it expires): %s", self._name, exc)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                beat(self._client, self._name, self._interval)
            except redis.RedisError as exc:
                log.warning("heartbeat of %s failed: %s", self._name, exc)
            self._stop.wait(self._interval)
