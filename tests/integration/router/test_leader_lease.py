"""The leader keeps its lock through a step longer than the lock's TTL (a long replay, a big
batch, a saturated machine): the lease is renewed beside the work, not between steps."""

from __future__ import annotations

import threading
import time
from typing import Any

import redis

from contactcentre.router.router import Router
from contactcentre.router.streams import LEADER
from routing.config import Queue, RoutingConfig

TTL_MS = 300


def _config() -> RoutingConfig:
    return RoutingConfig(queues=[Queue("support")], plans=[])


def test_a_step_longer_than_the_ttl_keeps_the_leader(redis_client: Any) -> None:
    """The standby never takes over while the leader is merely slow."""
    leader = Router(redis_client, _config, lock_ttl_ms=TTL_MS, max_block_ms=20)
    standby = Router(redis_client, _config, lock_ttl_ms=TTL_MS, max_block_ms=20)
    slow_once = threading.Event()
    step = leader.step

    def slow_step() -> int:
        if not slow_once.is_set():
            slow_once.set()
            time.sleep(4 * TTL_MS / 1000)  # holds no lock of ours: only the lease thread runs
        return step()

    leader.step = slow_step  # type: ignore[method-assign]
    stop = threading.Event()
    first = threading.Thread(target=leader.run, args=(stop,), daemon=True)
    first.start()
    try:
        assert leader.is_leader.wait(5)
        second = threading.Thread(target=standby.run, args=(stop,), daemon=True)
        second.start()
        deadline = time.monotonic() + 10 * TTL_MS / 1000
        while time.monotonic() < deadline:
            assert not standby.is_leader.is_set(), "the standby took over a slow leader"
            time.sleep(0.01)
        assert slow_once.is_set()
        assert leader.is_leader.is_set()
        assert redis_client.get(LEADER) == leader.lock.token
    finally:
        stop.set()
        first.join(5)


def test_a_leader_fenced_off_stands_down(redis_client: Any) -> None:
    """When another process holds the lock (ours lapsed), the leader stops leading."""
    leader = Router(redis_client, _config, lock_ttl_ms=TTL_MS, max_block_ms=20)
    stop = threading.Event()
    thread = threading.Thread(target=leader.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert leader.is_leader.wait(5)
        redis_client.set(LEADER, "someone-else", px=60_000)
        deadline = time.monotonic() + 5
        while leader.is_leader.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not leader.is_leader.is_set()
    finally:
        stop.set()
        thread.join(5)


def test_a_standby_that_cannot_reach_redis_keeps_standing_by(redis_client: Any) -> None:
    """Redis refusing connections (a restart) does not end the router's loop: once Redis is
    back, it takes the lock. Found by bench/faults.py: both routers exited on a Valkey restart."""
    router = Router(redis_client, _config, lock_ttl_ms=TTL_MS, max_block_ms=20)
    acquire = router.lock.acquire
    refusals = []

    def refused_twice() -> bool:
        if len(refusals) < 2:
            refusals.append(time.monotonic())
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1. Connection refused.")
        return acquire()

    router.lock.acquire = refused_twice  # type: ignore[method-assign]
    stop = threading.Event()
    thread = threading.Thread(target=router.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert router.is_leader.wait(5), "the router gave up when Redis refused it"
        assert len(refusals) == 2 and thread.is_alive()
    finally:
        stop.set()
        thread.join(5)
