"""What a simulated contact centre looks like: contact streams, agent groups, run lengths.

Plain validated dataclasses; the routing itself is an ordinary RoutingConfig for the real engine.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Literal

from routing.config import RoutingConfig


@dataclass(frozen=True)
class HandleTime:
    """Talk time distribution: exponential, or log-normal with a coefficient of variation."""

    mean_seconds: float
    shape: Literal["exponential", "lognormal"] = "exponential"
    cv: float = 1.0

    def __post_init__(self) -> None:
        if not self.mean_seconds > 0:
            raise ValueError(f"mean_seconds must be > 0, got {self.mean_seconds}")
        if self.shape not in ("exponential", "lognormal"):
            raise ValueError(f"shape must be 'exponential' or 'lognormal', got {self.shape!r}")
        if not self.cv > 0:
            raise ValueError(f"cv must be > 0, got {self.cv}")

    def sample(self, rng: random.Random) -> float:
        if self.shape == "exponential":
            return rng.expovariate(1.0 / self.mean_seconds)
        # Log-normal with the given mean and CV: σ² = ln(1 + cv²), μ = ln(mean) - σ²/2.
        sigma2 = math.log(1.0 + self.cv * self.cv)
        return rng.lognormvariate(math.log(self.mean_seconds) - sigma2 / 2.0, math.sqrt(sigma2))


@dataclass(frozen=True)
class ContactStream:
    """Poisson arrivals of one kind of contact, submitted with these task attributes.

    mean_patience_seconds: exponential patience of a waiting caller (None = waits for ever);
    a caller whose patience runs out before an agent answers hangs up (TaskCanceled).
    arrivals_per_hour 0: no random arrivals, only the scenario's logged contacts of this stream.
    """

    name: str
    arrivals_per_hour: float
    handle: HandleTime
    attributes: dict[str, Any] = field(default_factory=dict)
    priority: int = 0
    channel: str = "voice"
    mean_patience_seconds: float | None = None

    def __post_init__(self) -> None:
        if not self.name or "|" in self.name:
            raise ValueError(f"stream name {self.name!r} must be non-empty and without '|'")
        if not self.arrivals_per_hour >= 0:
            raise ValueError(f"stream {self.name}: arrivals_per_hour must be >= 0")
        if self.mean_patience_seconds is not None and not self.mean_patience_seconds > 0:
            raise ValueError(f"stream {self.name}: mean_patience_seconds must be > 0 or None")


@dataclass(frozen=True)
class LoggedContact:
    """One contact as a log recorded it, replayed as it was: when it arrived (seconds after the
    scenario's start), how long it talked once answered, and how long its caller would have
    waited before hanging up (None: for ever); its own task attributes and priority, over the
    stream's (what the routing plans chose it by)."""

    stream: str
    arrived_at: float
    talk_seconds: float
    patience_seconds: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    priority: int | None = None

    def __post_init__(self) -> None:
        if self.arrived_at < 0 or self.talk_seconds < 0:
            raise ValueError("a logged contact's arrival and talk time must be >= 0")
        if self.patience_seconds is not None and self.patience_seconds < 0:
            raise ValueError("a logged contact's patience must be >= 0 or None")


@dataclass(frozen=True)
class AgentGroup:
    """`count` identical agents (ids prefix-1, prefix-2, ...) with these skills and attributes."""

    prefix: str
    count: int
    skills: dict[str, int]
    attributes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.prefix or "|" in self.prefix:
            raise ValueError(f"agent prefix {self.prefix!r} must be non-empty and without '|'")
        if self.count < 1:
            raise ValueError(f"agent group {self.prefix}: count must be >= 1")


@dataclass(frozen=True)
class Scenario:
    """A routing config, its demand and staff, and how long to run and measure.

    Contacts arriving during the first `warm_up_seconds` are not measured (the floor starts
    empty); those arriving in the next `measure_seconds` are followed until they leave the
    queue, so no measured wait is cut short. accept_delay_seconds is the agent's answer time;
    wrap_up (optional) is when agents press Done, bounded by the queue's wrap_up_seconds timer.
    """

    config: RoutingConfig
    streams: list[ContactStream]
    agents: list[AgentGroup]
    target_seconds: float = 20.0
    warm_up_seconds: float = 1800.0
    measure_seconds: float = 8 * 3600.0
    accept_delay_seconds: float = 0.0
    wrap_up: HandleTime | None = None
    logged: tuple[LoggedContact, ...] = ()

    def __post_init__(self) -> None:
        if not self.streams:
            raise ValueError("a scenario needs at least one contact stream")
        if not self.agents:
            raise ValueError("a scenario needs at least one agent group")
        names = [stream.name for stream in self.streams]
        if len(set(names)) != len(names):
            raise ValueError("contact stream names must be unique")
        if self.warm_up_seconds < 0 or not self.measure_seconds > 0:
            raise ValueError("warm_up_seconds must be >= 0 and measure_seconds > 0")
        if self.accept_delay_seconds < 0:
            raise ValueError("accept_delay_seconds must be >= 0")
        if self.target_seconds < 0:
            raise ValueError("target_seconds must be >= 0")
        unknown = {c.stream for c in self.logged} - set(names)
        if unknown:
            raise ValueError(f"logged contacts name unknown streams: {sorted(unknown)}")

    @property
    def end_of_arrivals(self) -> float:
        return self.warm_up_seconds + self.measure_seconds
