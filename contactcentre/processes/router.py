"""The router process's composition root: wires Redis, SQL and sinks; runs until SIGTERM.

Threads: the router (leader or hot standby), publishers draining the outbox, the sweeper;
the notify publisher (offers to browsers) runs in a child process of its own.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from multiprocessing.process import BaseProcess

from contactcentre.chat.routing_sink import CHAT_GROUP, ChatSink
from contactcentre.cti.wiring import install_pop_prebuild
from contactcentre.platform.heap import settle_after_start
from contactcentre.platform.heartbeat import Heartbeat
from contactcentre.platform.runtime import Runtime, build_runtime
from contactcentre.processes.notifier import notify_process
from contactcentre.router.config_loader import load_routing_config
from contactcentre.router.publisher import Publisher
from contactcentre.router.router import Router
from contactcentre.router.sinks import EventLogSink
from contactcentre.router.streams import EVENT_LOG_GROUP
from contactcentre.router.sweeper import DisconnectSweeper
from contactcentre.settings import Settings
from contactcentre.voice.context import VoiceContext, build_voice_context
from contactcentre.voice.routing_sink import TELEPHONY_GROUP, TelephonySink
from routing.config import RoutingConfig

log = logging.getLogger(__name__)


def run_router(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    runtime = build_runtime(settings)
    install_pop_prebuild()  # chats requeued here are submitted tasks too
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def config() -> RoutingConfig:
        with runtime.db.session() as session:
            return load_routing_config(session)

    router = Router(runtime.redis, config)
    # Two consumer groups on the outbox, so a slow or unavailable database never delays offers;
    # the notify publisher runs in a child process, so SQL work here never holds up its GIL.
    notify = notify_process(settings)
    record = Publisher(runtime.redis, [EventLogSink(runtime.db)], group=EVENT_LOG_GROUP)
    # Calls react to assignments and exits in their own group: a slow Twilio API call never
    # delays offers or the event log.
    voice = build_voice_context(runtime, with_flow=False)
    telephony = Publisher(runtime.redis, [TelephonySink(voice)], group=TELEPHONY_GROUP)
    # Chats react to the same decisions in theirs (status, "joined", requeue on disconnect).
    chat = Publisher(runtime.redis, [ChatSink(runtime)], group=CHAT_GROUP)
    # Consoles gone longer than the grace period go offline; only the leader decides.
    sweeper = DisconnectSweeper(
        runtime.redis, settings.realtime_grace_seconds, active=router.is_leader.is_set
    )
    beat = Heartbeat(runtime.redis, "router", settings.heartbeat_seconds).start()
    if settings.gc_freeze:
        # Each routing decision allocates short-lived effects, trace notes and keys; collecting
        # the young generation every 700 allocations took about a third of the pure engine's time
        # deciding (docs/benchmarks.md, routing engine).
        settle_after_start()
    threads: list[threading.Thread | BaseProcess] = [
        threading.Thread(target=router.run, args=(stop,), name="router", daemon=True),
        notify,
        threading.Thread(target=record.run, args=(stop,), name="event-log", daemon=True),
        threading.Thread(target=telephony.run, args=(stop,), name="telephony", daemon=True),
        threading.Thread(target=chat.run, args=(stop,), name="chat", daemon=True),
        threading.Thread(
            target=_sweep_chats, args=(runtime, stop, router.is_leader.is_set), daemon=True
        ),
        threading.Thread(target=sweeper.run, args=(stop,), name="sweeper", daemon=True),
        threading.Thread(
            target=_sweep_agent_legs, args=(voice, stop, router.is_leader.is_set), daemon=True
        ),
    ]
    for thread in threads:
        thread.start()
    try:
        while not stop.wait(0.5):
            if not all(t.is_alive() for t in threads):
                log.error("a router thread died; exiting so the process manager restarts us")
                stop.set()
    finally:
        notify.terminate()  # SIGTERM: it finishes its batch and exits
        for thread in threads:
            thread.join(timeout=5)
        beat.stop()
        runtime.close()


def _sweep_chats(runtime: Runtime, stop: threading.Event, active: Callable[[], bool]) -> None:
    """End chats whose customer has been gone past CC_CHAT_ABANDON_SECONDS (leader only)."""
    from contactcentre.chat.presence import sweep_abandoned

    while not stop.wait(2.0):
        if not active():
            continue
        try:
            sweep_abandoned(runtime, runtime.settings.chat_abandon_seconds)
        except Exception:  # a database or Redis blip must not kill the sweeper
            log.exception("chat abandon sweep failed; retrying")


def _sweep_agent_legs(
    voice: VoiceContext, stop: threading.Event, active: Callable[[], bool]
) -> None:
    """Requeue calls whose agent leg was asked for and never showed up (leader only)."""
    from contactcentre.voice.agent_legs import sweep_lost_agent_legs

    while not stop.wait(1.0):
        if not active():
            continue
        try:
            sweep_lost_agent_legs(voice)
        except Exception:  # a Redis blip must not kill the sweeper
            log.exception("agent leg sweep failed; retrying")
