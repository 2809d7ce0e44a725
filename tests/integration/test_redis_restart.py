"""The platform's Redis client rides out a Redis restart: a command sent while the server is
down is retried until it is back (a couple of seconds), instead of failing the request."""

from __future__ import annotations

import threading
from pathlib import Path

from contactcentre.platform.embedded_valkey import EmbeddedValkey
from contactcentre.platform.runtime import redis_client


def test_a_command_sent_while_redis_restarts_waits_for_it(tmp_path: Path) -> None:
    """Stopped, then started again 1.5 s later on its port: the XADD sent meanwhile lands."""
    server = EmbeddedValkey(tmp_path / "valkey", persistent=True)
    client = redis_client(server.start())
    try:
        client.xadd("cc:test:stream", {"n": "1"})
        server.stop()
        back = threading.Timer(1.5, server.start)
        back.start()
        client.xadd("cc:test:stream", {"n": "2"})  # raised ConnectionError before the fix
        back.join()
        assert [f["n"] for _id, f in client.xrange("cc:test:stream")] == ["1", "2"]
    finally:
        client.close()
        server.stop()
