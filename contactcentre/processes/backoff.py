"""How soon the launcher starts a crashed process again: 1 s, doubling to 30 s, reset once it ran.

A process that dies at start-up must not spin the machine; one that ran a good while and then died
is back within a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RestartBackoff:
    """The delays before one process's successive restarts."""

    initial: float = 1.0
    factor: float = 2.0
    maximum: float = 30.0
    stable_after: float = 60.0  # a run this long means the crash is not a crash loop
    _next: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.initial <= 0:
            raise ValueError(f"initial delay must be positive, got {self.initial}")
        if self.factor < 1:
            raise ValueError(f"factor must be at least 1, got {self.factor}")
        if self.maximum < self.initial:
            raise ValueError(f"maximum {self.maximum} is below the initial delay {self.initial}")
        self._next = self.initial

    def delay(self, ran_for: float) -> float:
        """The wait before restarting a process that exited after running `ran_for` seconds."""
        if ran_for >= self.stable_after:
            self._next = self.initial
        delay = self._next
        self._next = min(self.maximum, self._next * self.factor)
        return delay
