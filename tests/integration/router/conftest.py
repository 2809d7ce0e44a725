"""A running router with its publishers (threads) against the test database and Redis."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from contactcentre.router.router import Router
from tests.integration.realtime.live import LiveRouter


@pytest.fixture
def running_router(app: Any) -> Iterator[Router]:
    """The router process's parts, in threads of the test process."""
    live = LiveRouter(app.extensions["contactcentre"])
    yield live.router
    live.stop()


def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll until check() is truthy (the router works asynchronously); fail with its last value."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(0.02)
        value = check()
    assert value, "condition not met in time"
    return value
