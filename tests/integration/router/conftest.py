"""A running router + publisher (threads) against the test database and Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contactcentre.router.config_loader import load_routing_config
from contactcentre.router.publisher import Publisher
from contactcentre.router.router import Router
from contactcentre.router.sinks import EventLogSink, RedisProjection
from routing.config import RoutingConfig


@pytest.fixture
def running_router(app: Any) -> Iterator[Router]:
    runtime = app.extensions["contactcentre"]

    def config() -> RoutingConfig:
        with runtime.db.session() as session:
            return load_routing_config(session)

    stop = threading.Event()
    router = Router(runtime.redis, config, snapshot_interval=0.5)
    publisher = Publisher(runtime.redis, [EventLogSink(runtime.db), RedisProjection(runtime.redis)])
    threads = [
        threading.Thread(target=router.run, args=(stop,), daemon=True),
        threading.Thread(target=publisher.run, args=(stop,), daemon=True),
    ]
    for thread in threads:
        thread.start()
    assert router.is_leader.wait(5), "router never became leader"
    yield router
    stop.set()
    for thread in threads:
        thread.join(5)


def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll until check() is truthy (the router works asynchronously); fail with its last value."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(0.02)
        value = check()
    assert value, "condition not met in time"
    return value
