"""The embedded Valkey: loopback, never port 6379, data kept across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from contactcentre.platform.embedded_valkey import EmbeddedValkey


def test_never_takes_6379_and_keeps_data(tmp_path: Path) -> None:
    """It binds a free loopback port other than 6379 and its AOF survives a restart."""
    server = EmbeddedValkey(tmp_path / "valkey")
    url = server.start()
    assert url.startswith("redis://127.0.0.1:") and ":6379/" not in url
    redis.Redis.from_url(url).set("routing:snapshot", "kept")
    server.stop()
    again = EmbeddedValkey(tmp_path / "valkey")
    try:
        assert redis.Redis.from_url(again.start()).get("routing:snapshot") == b"kept"
    finally:
        again.stop()


def test_refuses_port_6379(tmp_path: Path) -> None:
    """Asking for 6379 explicitly is refused: a real Redis may own it."""
    with pytest.raises(ValueError, match="6379"):
        EmbeddedValkey(tmp_path, port=6379)
