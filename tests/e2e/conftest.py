"""Fixtures for browser tests: the demo floor served for real, a live router, Debian's Chromium.

Tests skip with a clear reason when /usr/bin/chromium is absent; Playwright never downloads one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from contactcentre.app import create_app
from contactcentre.demo import seed
from contactcentre.settings import Settings
from contactcentre.store.models import Queue
from tests.integration.realtime.live import LiveRouter, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def demo_app(settings: Settings, redis_client: Any) -> Iterator[Any]:
    """The app with the demo data; offers ring for 90 s so a slow CI machine never misses one."""
    settings = settings.model_copy(
        update={"socketio_channel": f"cc-e2e-{uuid.uuid4().hex[:8]}", "realtime_grace_seconds": 30}
    )
    app = create_app(settings)
    runtime = app.extensions["contactcentre"]
    seed(runtime.db, settings)
    with runtime.db.session() as session:
        session.execute(update(Queue).values(offer_timeout_seconds=90, wrap_up_seconds=60))
    yield app
    runtime.close()


@pytest.fixture
def demo_floor(demo_app: Any) -> Iterator[LiveServer]:
    """The demo app served on a loopback port with the router process's threads running."""
    router = LiveRouter(demo_app.extensions["contactcentre"])
    server = LiveServer(demo_app)
    yield server
    server.stop()
    router.stop()


@pytest.fixture
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
