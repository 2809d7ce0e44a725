"""What a simulated day measured: talk occupancy against its ceiling, and abandons.

Talk occupancy = seconds agents talked with people / agent seconds signed in. Its ceiling is
T / (T + W), mean talk over mean talk plus wrap-up (the run's own means): agents who never
waited would reach it. Abandon rate = abandoned / live answers as the dialer knew them (AMD's
verdict), the FCC's measure; the worst 30-minute window slides in one-minute steps.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

WINDOW = 1800.0
STEP = 60.0


@dataclass(frozen=True)
class RunResult:
    pacer: str
    agents: int
    seed: int
    hours: float
    dials: int
    live: int
    abandoned: int
    talk_occupancy: float
    ceiling: float
    worst_window: float
    false_positives: int

    @property
    def ceiling_ratio(self) -> float:
        return self.talk_occupancy / self.ceiling

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.live if self.live else 0.0

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "pacer": self.pacer,
            "agents": self.agents,
            "seed": self.seed,
            "dials": self.dials,
            "live": self.live,
            "abandoned": self.abandoned,
            "talk_occupancy": round(self.talk_occupancy, 4),
            "ceiling": round(self.ceiling, 4),
            "ceiling_ratio": round(self.ceiling_ratio, 4),
            "abandon_rate": round(self.abandon_rate, 4),
            "worst_window": round(self.worst_window, 4),
        }


def worst_window(times: Sequence[float], abandoned_before: Sequence[int], end: float) -> float:
    """The highest abandon rate of any 30-minute window of live answers (one-minute steps);
    a run shorter than a window is one window."""
    if end < WINDOW:
        return abandoned_before[-1] / len(times) if times else 0.0
    worst, start = 0.0, 0.0
    while start + WINDOW <= end + 1e-9:
        low, high = bisect_left(times, start), bisect_left(times, start + WINDOW)
        if high > low:
            worst = max(worst, (abandoned_before[high] - abandoned_before[low]) / (high - low))
        start += STEP
    return worst


def summarise(
    *,
    pacer: str,
    seed: int,
    agents: int,
    seconds: float,
    talk_seconds: float,
    talks: Sequence[float],
    wraps: Sequence[float],
    dials: int,
    live_times: list[float],
    abandoned_before: list[int],
    false_positives: int,
) -> RunResult:
    talk = statistics.fmean(talks) if talks else 0.0
    wrap = statistics.fmean(wraps) if wraps else 0.0
    return RunResult(
        pacer=pacer,
        agents=agents,
        seed=seed,
        hours=seconds / 3600.0,
        dials=dials,
        live=len(live_times),
        abandoned=abandoned_before[-1],
        talk_occupancy=talk_seconds / (agents * seconds),
        ceiling=talk / (talk + wrap) if talk else 1.0,
        worst_window=worst_window(live_times, abandoned_before, seconds),
        false_positives=false_positives,
    )
