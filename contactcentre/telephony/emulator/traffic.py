"""A traffic generator: scripted callers arriving as a seeded Poisson process, for demos/benchmarks.

Each arrival picks a caller script from a weighted mix; generation stops after `max_calls`, after
`duration` emulated seconds, or when `stop()` is called.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .call import Call
from .carrier import Carrier
from .parties import CallerScript, Party


@dataclass(frozen=True)
class TrafficMix:
    """One kind of caller in the mix and its relative weight."""

    name: str
    weight: float
    script: Callable[[random.Random], Party]

    def __post_init__(self) -> None:
        if self.weight <= 0:
            raise ValueError(f"weight of {self.name!r} must be positive, got {self.weight!r}")


def default_mix() -> list[TrafficMix]:
    """Callers who answer two menus (a language, then a department) and wait, patient or not,
    and some who hang up early."""
    return [
        TrafficMix(
            "patient",
            6,
            lambda r: (
                CallerScript(patience=r.uniform(60, 300))
                .wait_for_prompt("press")
                .press(str(r.randint(1, 2)))
                .wait_for_prompt("press")
                .press(str(r.randint(2, 3)))
            ),
        ),
        TrafficMix(
            "impatient",
            3,
            lambda r: (
                CallerScript(patience=r.uniform(5, 40))
                .wait_for_prompt("press")
                .press(str(r.randint(1, 2)))
                .wait_for_prompt("press")
                .press(str(r.randint(2, 3)))
            ),
        ),
        TrafficMix("hang-up-early", 1, lambda r: CallerScript().wait(r.uniform(1, 5)).hang_up()),
    ]


class TrafficGenerator:
    """Places inbound calls to `to` at `rate_per_minute` (emulated time) on its own thread."""

    def __init__(
        self,
        carrier: Carrier,
        to: str,
        rate_per_minute: float,
        *,
        mix: Sequence[TrafficMix] | None = None,
        seed: int = 0,
        max_calls: int | None = None,
        duration: float | None = None,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError(f"rate_per_minute must be positive, got {rate_per_minute!r}")
        self.carrier = carrier
        self.to = to
        self.rate_per_minute = rate_per_minute
        self.mix = list(mix or default_mix())
        self.random = random.Random(seed)  # noqa: S311 - simulation, not cryptography
        self.max_calls = max_calls
        self.duration = duration
        self.calls: list[Call] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="traffic", daemon=True)

    def start(self) -> TrafficGenerator:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _caller_id(self) -> str:
        return f"+1555{self.random.randint(0, 9_999_999):07d}"

    def _run(self) -> None:
        clock = self.carrier.clock
        began = clock.elapsed()
        weights = [m.weight for m in self.mix]
        while not self._stop.is_set():
            gap = self.random.expovariate(self.rate_per_minute / 60.0)
            if self._stop.wait(clock.real(gap)):
                return
            if self.duration is not None and clock.elapsed() - began > self.duration:
                return
            kind = self.random.choices(self.mix, weights)[0]
            self.calls.append(
                self.carrier.place_call(self._caller_id(), self.to, kind.script(self.random))
            )
            if self.max_calls is not None and len(self.calls) >= self.max_calls:
                return
