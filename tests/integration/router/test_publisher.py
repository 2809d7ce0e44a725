"""The publisher reads the router's outbox in real Valkey, decodes each entry once into typed
effects for its sinks, keeps delivering at least once when a sink fails, and delivers what a
publisher killed mid-delivery left unacknowledged."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest

from contactcentre.router import publisher as publisher_module
from contactcentre.router.publisher import Publisher
from contactcentre.router.streams import OUTBOX
from routing import effects as fx
from routing.outbox import Delivery, to_wire

QUEUED = fx.TaskQueued("t1", "q1", "p1", 0, 0, 1, "d1")
ENDED = fx.TaskEnded("t1", "completed", "d2")


class Recorder:
    """A sink that keeps what it is given; told to, it fails its first delivery."""

    def __init__(self, fail_first: bool = False) -> None:
        self.received: list[tuple[str, list[Delivery]]] = []
        self._fail = fail_first

    def deliver(self, entry_id: str, deliveries: list[Delivery]) -> None:
        if self._fail:
            self._fail = False
            raise RuntimeError("the database is down")
        self.received.append((entry_id, deliveries))


def _commit(client: Any, *items: dict[str, Any]) -> str:
    """An outbox entry as the router's commit script writes it."""
    entry_id: str = client.xadd(OUTBOX, {"effects": json.dumps(list(items)), "journal_id": ""})
    return entry_id


def _step(publisher: Publisher) -> int:
    """One read that finds entries: the first read of a fresh publisher is its pending list."""
    for _ in range(3):
        if read := publisher.step(block_ms=10):
            return read
    return 0


def _pending(client: Any, group: str) -> int:
    count: int = client.xpending(OUTBOX, group)["pending"]
    return count


def test_sinks_get_typed_effects_and_an_unknown_kind_is_logged_and_skipped(
    redis_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An entry's effects reach the sink as the engine's dataclasses; one of a kind this version
    does not know is logged and left out, and the entry is acknowledged all the same."""
    entry_id = _commit(
        redis_client,
        to_wire(10.0, QUEUED, [{"trace_id": "d1"}]),
        {"at": 11.0, "effect": {"kind": "teleported", "task_id": "t1"}, "trace": []},
        to_wire(12.0, ENDED, []),
    )
    sink = Recorder()
    publisher = Publisher(redis_client, [sink], group="test")
    publisher._ensure_group()
    with caplog.at_level(logging.WARNING, logger="contactcentre.router.publisher"):
        assert _step(publisher) == 1
    assert sink.received == [
        (
            entry_id,
            [
                Delivery(f"{entry_id}:0", 10.0, QUEUED, [{"trace_id": "d1"}]),
                Delivery(f"{entry_id}:2", 12.0, ENDED, []),
            ],
        )
    ]
    assert any("teleported" in r.getMessage() for r in caplog.records)
    assert _pending(redis_client, "test") == 0


def test_an_entry_a_sink_failed_on_is_delivered_again_with_the_same_ids(
    redis_client: Any,
) -> None:
    """A sink's failure leaves the entry pending; the next read delivers it again, same ids."""
    entry_id = _commit(redis_client, to_wire(10.0, QUEUED, []))
    sink = Recorder(fail_first=True)
    publisher = Publisher(redis_client, [sink], group="test")
    publisher._ensure_group()
    with pytest.raises(RuntimeError):
        _step(publisher)
    assert _pending(redis_client, "test") == 1
    # A restarted publisher (same group and consumer) starts from its pending list.
    again = Publisher(redis_client, [sink], group="test")
    assert again.step(block_ms=10) == 1  # its pending list, first
    assert sink.received == [(entry_id, [Delivery(f"{entry_id}:0", 10.0, QUEUED, [])])]
    assert _pending(redis_client, "test") == 0


def test_entries_a_dead_publisher_read_are_taken_over(redis_client: Any, monkeypatch: Any) -> None:
    """A publisher of the group that read an entry and died (never acknowledged it) does not
    keep it from its sinks: the surviving publisher delivers it once it is stale."""
    monkeypatch.setattr(publisher_module, "STALE_AFTER_MS", 50)
    monkeypatch.setattr(publisher_module, "RECLAIM_EVERY_SECONDS", 0.0)
    survivor_sink = Recorder()
    dead = Publisher(redis_client, [Recorder()], group="telephony")
    survivor = Publisher(redis_client, [survivor_sink], group="telephony")
    dead._ensure_group()
    entry = redis_client.xadd(OUTBOX, {"effects": json.dumps([to_wire(1.0, QUEUED, [])])})
    # The dead one's read: the entry is now pending on the group, and nobody acknowledges it.
    redis_client.xreadgroup("telephony", "publisher", {OUTBOX: ">"}, count=10)
    survivor._read_id = ">"  # past its own start-up replay: only new entries would come
    time.sleep(0.1)  # older than STALE_AFTER_MS
    survivor.step(block_ms=10)
    assert [entry_id for entry_id, _ in survivor_sink.received] == [entry]
    assert redis_client.xpending(OUTBOX, "telephony")["pending"] == 0
