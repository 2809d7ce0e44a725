"""The router process's composition root: wires Redis, SQL and sinks; runs until SIGTERM.

Threads: the router (leader or hot standby), publishers draining the outbox, the sweepers;
the notify publisher (offers to browsers) runs in a child process of its own.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from contactcentre.chat.routing_sink import CHAT_GROUP, ChatSink
from contactcentre.cti.wiring import install_pop_prebuild
from contactcentre.platform.heap import settle_after_start
from contactcentre.platform.heartbeat import Heartbeat
from contactcentre.platform.runtime import Runtime, build_runtime
from contactcentre.processes.notifier import notify_process, notify_publisher
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

Loop = Callable[[threading.Event], None]  # runs until the event is set


@dataclass(frozen=True)
class RouterParts:
    """What the router process runs: the router, the loops beside it, the notify child."""

    router: Router
    loops: dict[str, Loop]  # by thread name, the router's own loop first
    notify: BaseProcess | None  # None when the notify publisher is one of the loops


def build_router_parts(
    runtime: Runtime, *, notify_in_child: bool = True, voice: VoiceContext | None = None
) -> RouterParts:
    """The router and its outbox publishers: which sinks, in which consumer groups.

    Tests run every part in one process: `notify_in_child=False` makes the notify publisher a
    loop, and `voice` is the web app's own voice context (default: one of the router's).
    """

    def config() -> RoutingConfig:
        with runtime.db.session() as session:
            return load_routing_config(session)

    router = Router(runtime.redis, config)
    # Two consumer groups on the outbox, so a slow or unavailable database never delays offers;
    # the notify publisher runs in a child process, so SQL work here never holds up its GIL.
    notify = notify_process(runtime.settings) if notify_in_child else None
    record = Publisher(runtime.redis, [EventLogSink(runtime.db)], group=EVENT_LOG_GROUP)
    # Calls react to assignments and exits in their own group: a slow Twilio API call never
    # delays offers or the event log.
    voice = voice or build_voice_context(runtime, with_flow=False)
    telephony = Publisher(runtime.redis, [TelephonySink(voice)], group=TELEPHONY_GROUP)
    # Chats react to the same decisions in theirs (status, "joined", requeue on disconnect).
    chat = Publisher(runtime.redis, [ChatSink(runtime)], group=CHAT_GROUP)
    # Consoles gone longer than the grace period go offline; only the leader decides.
    leading = router.is_leader.is_set
    sweeper = DisconnectSweeper(
        runtime.redis, runtime.settings.realtime_grace_seconds, active=leading
    )
    loops: dict[str, Loop] = {"router": router.run}
    if notify is None:
        loops["notify"] = notify_publisher(runtime).run
    loops.update(
        {
            "event-log": record.run,
            "telephony": telephony.run,
            "chat": chat.run,
            "chat-abandon": lambda stop: _sweep_chats(runtime, stop, leading),
            "sweeper": sweeper.run,
            "agent-legs": lambda stop: _sweep_agent_legs(voice, stop, leading),
            "calls": lambda stop: _reconcile_calls(voice, stop, leading),
        }
    )
    return RouterParts(router, loops, notify)


def run_router(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    runtime = build_runtime(settings)
    install_pop_prebuild()  # chats requeued here are submitted tasks too
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    parts = build_router_parts(runtime)
    beat = Heartbeat(runtime.redis, "router", settings.heartbeat_seconds).start()
    if settings.gc_freeze:
        # Each routing decision allocates short-lived effects, trace notes and keys; collecting
        # the young generation every 700 allocations took about a third of the pure engine's time
        # deciding (docs/benchmarks.md, routing engine).
        settle_after_start()
    threads: list[threading.Thread | BaseProcess] = [
        threading.Thread(target=loop, args=(stop,), name=name, daemon=True)
        for name, loop in parts.loops.items()
    ]
    if parts.notify is not None:
        threads.append(parts.notify)
    for thread in threads:
        thread.start()
    try:
        while not stop.wait(0.5):
            if not all(t.is_alive() for t in threads):
                log.error("a router thread died; exiting so the process manager restarts us")
                stop.set()
    finally:
        if parts.notify is not None:
            parts.notify.terminate()  # SIGTERM: it finishes its batch and exits
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


def _reconcile_calls(
    voice: VoiceContext, stop: threading.Event, active: Callable[[], bool]
) -> None:
    """Ask the carrier about calls that stopped moving before they were live, and again for
    hang-ups owed to it (leader only)."""
    import time

    from contactcentre.voice.owed_hang_ups import redo_owed_hang_ups
    from contactcentre.voice.reconcile import reconcile_unsettled_calls

    while not stop.wait(2.0):
        if not active():
            continue
        try:
            reconcile_unsettled_calls(voice, time.time())
            redo_owed_hang_ups(voice, time.time())
        except Exception:  # a Redis or database blip must not kill the sweep
            log.exception("call reconciliation failed; retrying")
