"""The notify publisher in a process of its own, started by the router process.

Offers must not wait for the interpreter lock while the event-log publisher does SQL work.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from typing import TYPE_CHECKING

from contactcentre.platform.runtime import Runtime, build_runtime
from contactcentre.settings import Settings

if TYPE_CHECKING:
    from contactcentre.router.publisher import Publisher


def notify_publisher(runtime: Runtime) -> Publisher:
    """Outbox -> Redis projections and agents' browsers, in the consumer group "notify"."""
    from contactcentre.cti.wiring import build_notifier
    from contactcentre.router.publisher import EffectSink, Publisher
    from contactcentre.router.sinks import RedisProjection
    from contactcentre.router.streams import NOTIFY_GROUP

    # The projections go first in the notifier's own pipeline: an offer that reaches a browser
    # can already be accepted, and a batch costs one write round trip.
    sinks: list[EffectSink] = [build_notifier(runtime, RedisProjection(runtime.redis))]
    return Publisher(runtime.redis, sinks, group=NOTIFY_GROUP)


def run_notify(settings: Settings, parent_pid: int) -> None:
    """The notify publisher until SIGTERM (or the parent dies)."""
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    runtime = build_runtime(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # A router killed with -9 cannot stop us; an orphan must not keep publishing.
    threading.Thread(target=_watch_parent, args=(parent_pid, stop), daemon=True).start()
    try:
        notify_publisher(runtime).run(stop)
    finally:
        runtime.close()


def _watch_parent(parent_pid: int, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        if os.getppid() != parent_pid:
            stop.set()


def notify_process(settings: Settings) -> multiprocessing.process.BaseProcess:
    """A daemon child (ends with the router process) running the notify publisher."""
    context = multiprocessing.get_context("spawn")
    args = (settings, os.getpid())
    return context.Process(target=run_notify, args=args, name="notify", daemon=True)
