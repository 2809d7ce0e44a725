"""A running router with its publishers (threads) against the test database and Redis."""

from __future__ import annotations

from collections.abc import Iterator
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
