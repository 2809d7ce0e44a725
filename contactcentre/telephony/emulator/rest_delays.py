"""Slow REST answers on purpose: the carrier acts on a request at once and holds its answer, as
Twilio does under load, so a test can kill the app's process while it waits (mid-delivery).

`Emulator.delay_rest("POST", "/Participants.json", 3.0, on_hold=...)`; `on_hold` is told the
client's address and the path of each request held, before the wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HeldRequest:
    """A request whose answer is being held: who asked (loopback port) and for what."""

    method: str
    path: str
    client_host: str
    client_port: int
    at: float


@dataclass(frozen=True)
class RestDelay:
    """Hold answers to `method` requests whose path ends with `path_suffix` for `seconds`."""

    method: str
    path_suffix: str
    seconds: float
    on_hold: Callable[[HeldRequest], None] | None = None

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError(f"seconds must not be negative, got {self.seconds!r}")

    def matches(self, method: str, path: str) -> bool:
        return method.upper() == self.method.upper() and path.endswith(self.path_suffix)


class RestDelays:
    """The delays in force; thread-safe (the REST server answers on many threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._delays: list[RestDelay] = []

    def add(self, delay: RestDelay) -> RestDelay:
        with self._lock:
            self._delays.append(delay)
        return delay

    def remove(self, delay: RestDelay) -> None:
        with self._lock:
            if delay in self._delays:
                self._delays.remove(delay)

    def clear(self) -> None:
        with self._lock:
            self._delays.clear()

    def hold(self, method: str, path: str, client: tuple[str, int]) -> None:
        """Called after the carrier acted on the request and before it answers."""
        with self._lock:
            found = next((d for d in self._delays if d.matches(method, path)), None)
        if found is None:
            return
        if found.on_hold is not None:
            found.on_hold(HeldRequest(method, path, client[0], client[1], time.time()))
        time.sleep(found.seconds)
