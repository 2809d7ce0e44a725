"""The router tests' handle on the running router (live_router, tests/integration/conftest.py)."""

from __future__ import annotations

import pytest

from contactcentre.router.router import Router
from tests.integration.realtime.live import LiveRouter


@pytest.fixture
def running_router(live_router: LiveRouter) -> Router:
    """The router itself, for tests that look inside its engine."""
    return live_router.router
