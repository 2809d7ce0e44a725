"""Fixtures for browser tests: the demo floor served for real, a live router, Debian's Chromium,
and for calls the Twilio emulator pointed at the app (and the app at it).

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
from contactcentre.telephony.emulator import Emulator
from tests.e2e.floors import VoiceFloor
from tests.integration.realtime.live import LiveRouter, LiveServer
from tests.integration.voice.calls import ACCOUNT_SID, AUTH_TOKEN, NUMBER, OPEN_HOURS

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


def _demo(settings: Settings) -> Any:
    """The app with the demo data; offers ring for 90 s so a slow CI machine never misses one."""
    settings = settings.model_copy(
        update={"socketio_channel": f"cc-e2e-{uuid.uuid4().hex[:8]}", "realtime_grace_seconds": 30}
    )
    app = create_app(settings)
    runtime = app.extensions["contactcentre"]
    seed(runtime.db, settings)
    with runtime.db.session() as session:
        session.execute(update(Queue).values(offer_timeout_seconds=90, wrap_up_seconds=60))
    return app


@pytest.fixture
def demo_app(settings: Settings, redis_client: Any) -> Iterator[Any]:
    """The demo app (not served; see demo_floor)."""
    app = _demo(settings)
    yield app
    app.extensions["contactcentre"].close()


@pytest.fixture
def demo_floor(demo_app: Any) -> Iterator[LiveServer]:
    """The demo app served on a loopback port with the router process's threads running."""
    router = LiveRouter(demo_app.extensions["contactcentre"])
    server = LiveServer(demo_app)
    yield server
    server.stop()
    router.stop()


@pytest.fixture
def voice_floor(settings: Settings, redis_client: Any) -> Iterator[VoiceFloor]:
    """The demo floor taking phone calls: the emulator (emulated time 10x real) calls the app's
    webhooks, the app's Twilio client and the router's telephony publisher call the emulator's
    REST API. Business hours are pinned open so the IVR offers the main menu."""
    holder: dict[str, Any] = {}

    def wsgi(environ: Any, start: Any) -> Any:
        return holder["app"](environ, start)

    # The app must know its public URL (Twilio signs the URL it requested) before it exists.
    server = LiveServer(wsgi)
    with Emulator(ACCOUNT_SID, AUTH_TOKEN, time_scale=10) as emulator:
        app = _demo(
            settings.model_copy(
                update={
                    "twilio_account_sid": ACCOUNT_SID,
                    "twilio_auth_token": AUTH_TOKEN,
                    "twilio_api_base_url": emulator.base_url,
                    "public_base_url": server.url,
                    "ivr_fixed_time": OPEN_HOURS,
                }
            )
        )
        holder["app"] = app
        runtime = app.extensions["contactcentre"]
        router = LiveRouter(runtime, voice=app.extensions["voice"])
        emulator.configure_number(
            NUMBER, server.url + "/twilio/voice", status_callback=server.url + "/twilio/status"
        )
        yield VoiceFloor(app, server.url, emulator)
        emulator.carrier.shutdown()
        server.stop()
        router.stop()
        runtime.close()


@pytest.fixture
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
