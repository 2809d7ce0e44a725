"""Asynchronous delivery of status callbacks, in order per resource, off the call threads.

Twilio sends status callbacks without waiting for them; keeping them on lanes keyed by call or
conference sid preserves their order for one resource while a slow app cannot stall the calls.
"""

from __future__ import annotations

import queue
import threading
import zlib
from dataclasses import dataclass

from .webhooks import WebhookClient


@dataclass(frozen=True)
class _Job:
    url: str
    params: dict[str, str]
    method: str
    call_sid: str | None
    purpose: str


class CallbackDispatcher:
    """`lanes` worker threads; all callbacks with the same key go through the same lane."""

    def __init__(self, webhooks: WebhookClient, lanes: int = 4) -> None:
        self.webhooks = webhooks
        self._queues: list[queue.Queue[_Job | None]] = [queue.Queue() for _ in range(lanes)]
        self._pending = 0
        self._idle = threading.Condition()
        self._threads = [
            threading.Thread(
                target=self._work, args=(q,), name=f"emulator-callbacks-{i}", daemon=True
            )
            for i, q in enumerate(self._queues)
        ]
        for thread in self._threads:
            thread.start()

    def post(
        self,
        key: str,
        url: str,
        params: dict[str, str],
        *,
        method: str = "POST",
        call_sid: str | None = None,
        purpose: str = "status",
    ) -> None:
        """Queue one callback; returns at once."""
        with self._idle:
            self._pending += 1
        lane = zlib.crc32(key.encode()) % len(self._queues)
        self._queues[lane].put(_Job(url, dict(params), method, call_sid, purpose))

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every queued callback has been delivered (used by tests and shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self) -> None:
        for q in self._queues:
            q.put(None)
        for thread in self._threads:
            thread.join(timeout=2)

    def _work(self, jobs: queue.Queue[_Job | None]) -> None:
        while (job := jobs.get()) is not None:
            try:
                self.webhooks.send(job.url, job.params, job.method, job.call_sid, job.purpose)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
