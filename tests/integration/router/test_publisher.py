"""The outbox publisher on real Redis: what a process killed mid-delivery left is delivered."""

from __future__ import annotations

import json
import time
from typing import Any

from contactcentre.router import publisher as publisher_module
from contactcentre.router.publisher import Publisher
from contactcentre.router.streams import OUTBOX


class Collecting:
    def __init__(self) -> None:
        self.entries: list[str] = []

    def deliver(self, entry_id: str, deliveries: list[dict[str, Any]]) -> None:
        self.entries.append(entry_id)


def test_entries_a_dead_publisher_read_are_taken_over(redis_client: Any, monkeypatch: Any) -> None:
    """A publisher of the group that read an entry and died (never acknowledged it) does not
    keep it from its sinks: the surviving publisher delivers it once it is stale."""
    monkeypatch.setattr(publisher_module, "STALE_AFTER_MS", 50)
    monkeypatch.setattr(publisher_module, "RECLAIM_EVERY_SECONDS", 0.0)
    survivor_sink = Collecting()
    dead = Publisher(redis_client, [Collecting()], group="telephony")
    survivor = Publisher(redis_client, [survivor_sink], group="telephony")
    dead._ensure_group()
    entry = redis_client.xadd(OUTBOX, {"effects": json.dumps([{"effect": {"kind": "x"}}])})
    # The dead one's read: the entry is now pending on the group, and nobody acknowledges it.
    redis_client.xreadgroup("telephony", "publisher", {OUTBOX: ">"}, count=10)
    survivor._read_id = ">"  # past its own start-up replay: only new entries would come
    time.sleep(0.1)  # older than STALE_AFTER_MS
    survivor.step(block_ms=10)
    assert survivor_sink.entries == [entry]
    assert redis_client.xpending(OUTBOX, "telephony")["pending"] == 0
