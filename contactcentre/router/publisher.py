"""Delivers the router's decisions from the outbox to their sinks, at least once.

Each sink is idempotent (keys derived from the outbox entry id), so a redelivery changes nothing.
Entries are decoded here, once, into the engine's typed effects; sinks never see the JSON.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol

import redis

from contactcentre.router.streams import OUTBOX
from routing.outbox import Delivery, Entry, decode_entry

log = logging.getLogger(__name__)
# Entries read but not acknowledged for this long belong to a process that died with them (or
# one far slower than any delivery, whose sinks are idempotent): any publisher of the group
# takes them over. Above the carrier's request timeout, so a live slow delivery is left alone.
STALE_AFTER_MS = 15_000
RECLAIM_EVERY_SECONDS = 5.0


class EffectSink(Protocol):
    """Somewhere decisions go: the event log, Redis projections, agents' browsers.

    A sink may also offer `deliver_batch(entries)`, taking every entry of one read at once.
    """

    def deliver(self, entry_id: str, deliveries: list[Delivery]) -> None: ...


class Publisher:
    def __init__(
        self,
        client: redis.Redis,
        sinks: list[EffectSink],
        *,
        group: str = "publisher",
        consumer: str = "publisher",
    ) -> None:
        self._redis = client
        self._sinks = sinks
        self._group = group
        self._consumer = consumer
        self._read_id = "0"
        self._reclaimed_at = time.monotonic()

    def run(self, stop: threading.Event) -> None:
        self._ensure_group()
        while not stop.is_set():
            try:
                self.step()
            except redis.RedisError as exc:
                log.warning("publisher lost Redis (%s); retrying", exc)
                stop.wait(0.5)
            except Exception:
                # A sink failed (e.g. the database is down): the entry stays pending and is
                # delivered again from the pending list.
                log.exception("publisher could not deliver; will retry")
                self._read_id = "0"
                stop.wait(0.5)

    def _ensure_group(self) -> None:
        try:
            self._redis.xgroup_create(OUTBOX, self._group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def step(self, block_ms: int = 200) -> int:
        if time.monotonic() - self._reclaimed_at >= RECLAIM_EVERY_SECONDS:
            self._reclaimed_at = time.monotonic()
            stale = self._reclaim_stale()
            if stale:
                return self._deliver(stale)
        reply: Any = self._redis.xreadgroup(
            self._group, self._consumer, {OUTBOX: self._read_id}, count=100, block=block_ms
        )
        entries = reply[0][1] if reply else []
        if self._read_id == "0" and not entries:
            self._read_id = ">"
        if not entries:
            return 0
        return self._deliver(entries)

    def _reclaim_stale(self) -> list[Any]:
        """Entries another publisher of the group read and never acknowledged: its process
        died mid-delivery (kill -9), so they are delivered again here."""
        reply: Any = self._redis.xautoclaim(
            OUTBOX, self._group, self._consumer, STALE_AFTER_MS, "0-0", count=100
        )
        claimed: list[Any] = list(reply[1]) if reply else []
        if claimed:
            log.warning("took over %d stale outbox entries in group %s", len(claimed), self._group)
        return claimed

    def _deliver(self, entries: list[Any]) -> int:
        decoded: list[Entry] = [(i, self._decode(i, fields)) for i, fields in entries]
        for sink in self._sinks:
            batch = getattr(sink, "deliver_batch", None)
            if batch is not None:
                batch(decoded)
            else:
                for entry_id, deliveries in decoded:
                    sink.deliver(entry_id, deliveries)
        self._redis.xack(OUTBOX, self._group, *[entry_id for entry_id, _ in decoded])
        return len(entries)

    def _decode(self, entry_id: str, fields: dict[str, str] | None) -> list[Delivery]:
        """The entry's deliveries; what this version cannot read is logged and left out.

        Reading it again would fail again, so it is acknowledged with the rest rather than
        retried: only a sink's failure (the database down) is worth delivering again.
        """
        if not fields:
            return []  # trimmed from the stream while pending: nothing left to deliver
        deliveries, problems = decode_entry(entry_id, fields.get("effects", "[]"))
        for problem in problems:
            log.warning("%s group: %s", self._group, problem)
        return deliveries
