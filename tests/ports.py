"""A free loopback port for a server a test starts (a plain module, no pytest)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now; the server binding it next is the test's own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
