"""The web process as the Procfile runs it (`contactcentre web`, gunicorn): connection handling."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from contactcentre.settings import PROJECT_ROOT
from tests.ports import free_port


@pytest.fixture
def web_port(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    env.update(
        CC_DATABASE_URL=database_url,
        CC_REDIS_URL=redis_url,
        CC_LOG_LEVEL="WARNING",
        CC_INSTANCE_PATH=str(tmp_path / "instance"),
        CC_WEB_THREADS="8",
        CC_MAX_REQUEST_BYTES="1024",
        PORT=str(port),
        HOME=str(tmp_path),  # gunicorn's default control socket would live under it
    )
    web = subprocess.Popen(
        [sys.executable, "-m", "contactcentre", "web"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Until it answers HTTP, not merely until the port accepts: gunicorn's arbiter binds
        # the port before its worker has imported the app, which on a loaded machine took
        # longer than a test's socket timeouts (a connection then waits in the backlog).
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5):
                    break
            except urllib.error.HTTPError:
                break  # answered (503: not ready to serve, but serving HTTP)
            except OSError:
                assert web.poll() is None, "the web process exited"
                time.sleep(0.1)
        yield port
    finally:
        web.terminate()
        web.wait(10)
    assert not (tmp_path / ".gunicorn").exists(), "gunicorn opened a per-user control socket"


def test_an_oversized_body_closes_the_connection(web_port: int) -> None:
    """After a 413 the server says Connection: close and closes, instead of reading the unread
    body as the next request."""
    body = b"x" * 3_000_000  # more than gunicorn drains before it gives up on the connection
    with socket.create_connection(("127.0.0.1", web_port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/v1/skills HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nConnection: keep-alive\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        with contextlib.suppress(OSError):  # the server may stop reading once it has answered
            conn.sendall(body)
        received = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break  # the server closed the connection
            received += chunk
    head = received.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head.startswith("http/1.1 413")
    assert "connection: close" in head
    assert received.count(b"HTTP/1.1") == 1  # no second (garbage) response
