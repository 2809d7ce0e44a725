"""The simulated campaign: who answers, when, how long they talk, and the carrier's limits.

The distributions and why they were chosen (the benchmark's docs repeat them):

- Outcome of a dial: a person 30% (the issue's live-answer probability), an answering machine
  25%, busy 7%, failed 5%, no answer 33%: typical of consumer lists with AMD on.
- Post-dial delay before ringing: log-normal, median 2.5 s (sigma 0.3, 1-8 s): carriers take
  2-4 s to set up a call.
- A person answers after ringing log-normally, median 8 s (sigma 0.5, 2 s to the timeout): most
  people answer on the second or third ring, few after the fourth. Machines pick up after a
  fixed number of rings: normal, mean 15 s, sd 3 s (6 s to the timeout). The ring timeout is
  25 s (the law's minimum is 15 s).
- The greeting ("Hello?") lasts 0.6-1.8 s (uniform); 0.5% hang up during it. AMD recognises a
  person 1.0-1.4 s after the greeting (Twilio's 1.2 s end-of-speech silence), a machine 2.5-4 s
  after it answers; it takes 2% of people for machines (false positives: they are hung up on)
  and 5% of machines for people (false negatives: an agent hears a machine for 3 s).
- A person waits on a silent line 1.5 s plus a log-normal of median 4 s (sigma 0.5): they say
  "hello?" again after a second or two and hang up a few seconds later; almost nobody within
  the 2 s the law allows (those who hang up during the greeting are the 0.5% above).
- Connecting a free agent takes 0.2-0.5 s (uniform). With no agent within 2 s of the greeting
  the call is abandoned: the safe-harbour message plays and the call ends.
- Talk: log-normal, mean 120 s, coefficient of variation 0.8 (many short "not interested"
  calls, a long tail of sales). Wrap-up: log-normal, mean 10 s, cv 0.3 (agents press Done).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LogNormal:
    """shift + a log-normal with this median and sigma, redrawn until inside [low, high]."""

    median: float
    sigma: float
    low: float = 0.0
    high: float = math.inf
    shift: float = 0.0

    @classmethod
    def of_mean(cls, mean: float, cv: float, low: float = 0.0, high: float = math.inf) -> LogNormal:
        sigma2 = math.log(1.0 + cv * cv)
        return cls(mean / math.sqrt(1.0 + cv * cv), math.sqrt(sigma2), low, high)

    def sample(self, rng: random.Random) -> float:
        return _bounded(
            lambda: self.shift + rng.lognormvariate(math.log(self.median), self.sigma), self
        )


@dataclass(frozen=True)
class Normal:
    mean: float
    sd: float
    low: float = -math.inf
    high: float = math.inf

    def sample(self, rng: random.Random) -> float:
        return _bounded(lambda: rng.gauss(self.mean, self.sd), self)


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)


def _bounded(draw: Callable[[], float], dist: LogNormal | Normal) -> float:
    value = draw()
    for _ in range(100):
        if dist.low <= value <= dist.high:
            return value
        value = draw()
    return min(dist.high, max(dist.low, value))


RING_TIMEOUT = 25.0


@dataclass(frozen=True)
class OutboundScenario:
    """One campaign: `agents` signed in for `hours`, and how the world answers its calls."""

    agents: int
    hours: float = 8.0
    live: float = 0.30
    machine: float = 0.25
    busy: float = 0.07
    failed: float = 0.05
    ring_timeout: float = RING_TIMEOUT
    post_dial_delay: LogNormal = LogNormal(2.5, 0.3, 1.0, 8.0)
    human_ring: LogNormal = LogNormal(8.0, 0.5, 2.0, RING_TIMEOUT)
    machine_ring: Normal = Normal(15.0, 3.0, 6.0, RING_TIMEOUT)
    greeting: Uniform = Uniform(0.6, 1.8)
    hang_up_in_greeting: float = 0.005
    silence_patience: LogNormal = LogNormal(4.0, 0.5, shift=1.5)
    amd_human_delay: Uniform = Uniform(1.0, 1.4)
    amd_machine_delay: Uniform = Uniform(2.5, 4.0)
    amd_false_positive: float = 0.02
    amd_false_negative: float = 0.05
    machine_with_agent_seconds: float = 3.0
    bridge: Uniform = Uniform(0.2, 0.5)
    connect_seconds: float = 2.0
    safe_harbour_seconds: float = 8.0
    talk: LogNormal = field(default_factory=lambda: LogNormal.of_mean(120.0, 0.8, low=5.0))
    wrap_up: LogNormal = field(default_factory=lambda: LogNormal.of_mean(10.0, 0.3, low=2.0))
    calls_per_second: float = 5.0

    def __post_init__(self) -> None:
        if self.agents < 1 or not self.hours > 0:
            raise ValueError("a scenario needs agents and a positive duration")
        shares = (self.live, self.machine, self.busy, self.failed)
        if min(shares) < 0 or sum(shares) > 1:
            raise ValueError("outcome shares must be non-negative and sum to at most 1")

    @property
    def seconds(self) -> float:
        return self.hours * 3600.0
