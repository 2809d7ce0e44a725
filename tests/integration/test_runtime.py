"""A process's runtime: the GIL switch interval follows the kind of process it serves."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from contactcentre.app import create_app
from contactcentre.platform.runtime import build_runtime
from contactcentre.settings import Settings


@pytest.fixture
def restored_switch() -> Iterator[None]:
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


def test_router_and_workers_take_thread_switch_ms(
    settings: Settings, redis_client: Any, restored_switch: None
) -> None:
    """build_runtime alone (router, notifier, workers) switches every CC_THREAD_SWITCH_MS."""
    runtime = build_runtime(settings.model_copy(update={"thread_switch_ms": 0.7}))
    try:
        assert sys.getswitchinterval() == pytest.approx(0.0007)
    finally:
        runtime.close()


def test_web_processes_take_web_thread_switch_ms(
    settings: Settings, redis_client: Any, restored_switch: None
) -> None:
    """create_app switches every CC_WEB_THREAD_SWITCH_MS, whatever CC_THREAD_SWITCH_MS says."""
    app = create_app(
        settings.model_copy(update={"thread_switch_ms": 0.7, "web_thread_switch_ms": 3.0})
    )
    try:
        assert sys.getswitchinterval() == pytest.approx(0.003)
    finally:
        app.extensions["contactcentre"].close()
