"""Deadlines the engine waits for (offer expiry, step timeout, wrap-up, holds, max wait).

A heap with lazy deletion: the dict holds the live timers, stale heap entries are skipped.
"""

from __future__ import annotations

import heapq
from typing import Any

TimerKey = tuple[str, str]  # (kind, task, reservation or agent id)


class Timers:
    def __init__(self) -> None:
        self.live: dict[TimerKey, tuple[float, int]] = {}
        self.heap: list[tuple[float, int, str, str]] = []
        self.seq = 0

    def set(self, kind: str, ref: str, deadline: float) -> None:
        self.seq += 1
        self.live[(kind, ref)] = (deadline, self.seq)
        heapq.heappush(self.heap, (deadline, self.seq, kind, ref))

    def cancel(self, kind: str, ref: str) -> None:
        self.live.pop((kind, ref), None)

    def deadline(self, kind: str, ref: str) -> float | None:
        entry = self.live.get((kind, ref))
        return None if entry is None else entry[0]

    def _drop_stale(self) -> None:
        heap, live = self.heap, self.live
        while heap:
            deadline, seq, kind, ref = heap[0]
            if live.get((kind, ref)) == (deadline, seq):
                return
            heapq.heappop(heap)

    def next_deadline(self) -> float | None:
        self._drop_stale()
        return self.heap[0][0] if self.heap else None

    def pop_due(self, now: float) -> TimerKey | None:
        """The earliest live timer with deadline <= now (removed), in (deadline, set order)."""
        self._drop_stale()
        if not self.heap or self.heap[0][0] > now:
            return None
        _, _, kind, ref = heapq.heappop(self.heap)
        del self.live[(kind, ref)]
        return kind, ref

    def to_list(self) -> list[list[Any]]:
        return [[kind, ref, deadline, seq] for (kind, ref), (deadline, seq) in self.live.items()]

    @classmethod
    def from_list(cls, items: list[list[Any]], seq: int) -> Timers:
        timers = cls()
        timers.seq = seq
        for kind, ref, deadline, entry_seq in items:
            timers.live[(kind, ref)] = (deadline, entry_seq)
            timers.heap.append((deadline, entry_seq, kind, ref))
        heapq.heapify(timers.heap)
        return timers
