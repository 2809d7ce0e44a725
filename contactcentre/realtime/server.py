"""Binds Socket.IO to a web app: threading mode, the Redis message queue, the namespaces.

Each app gets its own SocketIO (tests run several apps in one process, like two web processes).
What channels add (chat's namespace and origins, their /agent events) the composition root
passes in, so realtime/ imports no channel.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from typing import Any
from urllib.parse import urlsplit

from flask_socketio import SocketIO

from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.event_limits import EventLimiter, socket_budget
from contactcentre.realtime.message_queue import ClosableRedisManager
from contactcentre.realtime.namespaces import (
    AgentExtension,
    AgentNamespace,
    RoomPolicy,
    SupervisorNamespace,
)
from contactcentre.realtime.registry import SocketRegistry


def init_realtime(
    app: Any,
    runtime: Runtime,
    *,
    rooms: RoomPolicy,
    agent_extensions: Sequence[AgentExtension] = (),
    guest_origins: Container[str] = frozenset(),
    guest_namespaces: Sequence[Callable[[SocketIO], None]] = (),
) -> SocketIO:
    """`guest_origins`: origins other than ours that may open a socket (chat sites), each
    namespace then deciding whom it admits; `guest_namespaces` bind their namespaces."""
    settings = runtime.settings
    queue = ClosableRedisManager(runtime.redis_url, settings.socketio_channel)
    runtime.closers.append(queue.close)
    socketio = SocketIO(
        app,
        client_manager=queue,
        async_mode="threading",
        ping_interval=settings.realtime_ping_seconds,
        ping_timeout=settings.realtime_ping_timeout_seconds,
        # Our own origin, plus the chat sites' origins for the widget; each namespace then
        # admits only its own callers (agents: our origin; a chat: its site's origins).
        cors_allowed_origins=_origin_check(runtime, guest_origins),
        logger=False,
        engineio_logger=False,
        # An event is handled on its socket's own thread, in the order it arrived, instead of
        # on a new thread each: starting that thread and handing over to it cost a web process
        # holding 1,100 sockets more than the chat message it carried. No handler waits for
        # another event of its own socket, so none can block itself.
        async_handlers=False,
    )
    # Vouch for live sockets well within the grace period, so a refresh is never "late".
    interval = min(settings.heartbeat_seconds, settings.realtime_grace_seconds / 3)
    registry = SocketRegistry(runtime, interval)
    budget = socket_budget(settings)
    socketio.on_namespace(
        AgentNamespace(registry, rooms, EventLimiter(budget), extensions=agent_extensions)
    )
    socketio.on_namespace(SupervisorNamespace(registry, rooms, EventLimiter(budget)))
    for bind in guest_namespaces:
        bind(socketio)
    return socketio


def own_origins(runtime: Runtime, environ: dict[str, Any]) -> set[str]:
    """Our public origin and, as Socket.IO's default does, the origin the request came to."""
    origins = {_origin(runtime.settings.public_base_url)}
    host = environ.get("HTTP_HOST")
    if host and not runtime.settings.behind_proxy:
        origins.add(f"{environ.get('wsgi.url_scheme', 'http')}://{host}".lower())
    return origins


def _origin_check(runtime: Runtime, guest_origins: Container[str]) -> Any:
    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        if origin is None:
            return True  # not a browser: the namespaces' own auth decides
        wanted = origin.lower().rstrip("/")
        return wanted in own_origins(runtime, environ) or wanted in guest_origins

    return allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
