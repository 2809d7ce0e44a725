"""Binds Socket.IO to a web app: threading mode, the Redis message queue, both namespaces.

Each app gets its own SocketIO (tests run several apps in one process, like two web processes).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_socketio import SocketIO

from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.namespaces import AgentNamespace, SocketRegistry, SupervisorNamespace
from contactcentre.realtime.rooms import SUPERVISOR_NS


def init_realtime(app: Any, runtime: Runtime) -> SocketIO:
    settings = runtime.settings
    socketio = SocketIO(
        app,
        message_queue=runtime.redis_url,
        channel=settings.socketio_channel,
        async_mode="threading",
        ping_interval=settings.realtime_ping_seconds,
        ping_timeout=settings.realtime_ping_seconds,
        # Same origin only; behind a TLS proxy the browser's origin is the public URL.
        cors_allowed_origins=[_origin(settings.public_base_url)] if settings.behind_proxy else None,
        logger=False,
        engineio_logger=False,
    )
    # Vouch for live sockets well within the grace period, so a refresh is never "late".
    interval = min(settings.heartbeat_seconds, settings.realtime_grace_seconds / 3)
    socketio.on_namespace(AgentNamespace(SocketRegistry(runtime, interval)))
    socketio.on_namespace(SupervisorNamespace(SUPERVISOR_NS))
    return socketio


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
