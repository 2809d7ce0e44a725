"""Estimated wait time (EWT) for a waiting task, for IVR announcements and chat banners.

EWT = position x recent average handle time / concurrent slots of the staffed eligible agents.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Final

DEFAULT_HANDLE_SECONDS: Final = 180.0  # until a queue has history of its own
HANDLE_WINDOW: Final = 50  # recent contacts per queue in the moving average


@dataclass(frozen=True)
class EstimatedWait:
    """position is 1-based within the queue ordering; ewt_seconds None = nobody staffed."""

    task_id: str
    queue_id: str
    position: int
    ewt_seconds: float | None


@dataclass(frozen=True)
class WaitingTask:
    task_id: str
    queue_id: str
    position: int
    priority: int
    age_seconds: float
    ewt_seconds: float | None


class HandleTimes:
    """Moving average of handle time (assignment to end of wrap-up) per queue."""

    def __init__(self) -> None:
        self.recent: dict[str, deque[float]] = {}

    def record(self, queue_id: str, seconds: float) -> None:
        window = self.recent.setdefault(queue_id, deque(maxlen=HANDLE_WINDOW))
        window.append(max(0.0, seconds))

    def average(self, queue_id: str) -> float:
        window = self.recent.get(queue_id)
        if not window:
            return DEFAULT_HANDLE_SECONDS
        return sum(window) / len(window)

    def to_dict(self) -> dict[str, Any]:
        return {queue: list(window) for queue, window in self.recent.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HandleTimes:
        times = cls()
        for queue, values in data.items():
            times.recent[queue] = deque(values, maxlen=HANDLE_WINDOW)
        return times


def estimate_seconds(position: int, average_handle: float, slots: int) -> float | None:
    """Erlang-free rule of thumb: the tasks ahead (and this one) share the staffed slots.

    A slot is one concurrent task an agent may hold on this channel (3 for a chat agent).
    """
    if slots <= 0:
        return None
    return round(position * average_handle / slots, 1)
