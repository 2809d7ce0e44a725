"""VICIdial's adaptive dial level, the baseline to beat, as its AST_VDadapt.pl computes it.

Every second it samples ready agents, calls waiting for an agent and agents signed in, and
keeps the last 15 samples. Every 15 seconds it moves the dial level (lines per active agent)
by the averaged gap relative to the agents: level x (1 + (ready - waiting + diff target) /
agents), with its intensity setting, capped at the maximum level (3.0) and floored at 1.0.
Then its drop rules: a minute with over 20 calls and over 50% drops halves the level; once
today has over 50 calls and dropped more than the limit of its answers, ADAPT_HARD_LIMIT sets
the level to 1.0 and ADAPT_AVERAGE halves it. Drop figures are refreshed every 60 seconds.
The auto-dialer then keeps round(level x active agents) lines busy (AST_VDauto_dial.pl):
active agents are the ready, queued and in-call ones (not those paused or in wrap-up), lines
are calls ringing, waiting for an agent, or connected. Pure: the caller feeds it the counts.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum

SAMPLES = 15  # seconds averaged
ADJUST_EVERY = 15  # seconds between level changes
DROPS_EVERY = 60  # seconds between drop-statistics refreshes


class AdaptMethod(StrEnum):
    HARD_LIMIT = "ADAPT_HARD_LIMIT"  # over the drop limit today: level 1.0
    AVERAGE = "ADAPT_AVERAGE"  # over the drop limit today: half the level


@dataclass(frozen=True)
class DropStats:
    """The counts VICIdial reads from vicidial_log: calls and drops of the last minute,
    calls, human answers and drops today."""

    calls_one: int = 0
    answers_one: int = 0
    drops_one: int = 0
    calls_today: int = 0
    answers_today: int = 0
    drops_today: int = 0


@dataclass
class AdaptiveDialLevel:
    """The campaign's dial level and the samples behind it (VICIdial's defaults)."""

    method: AdaptMethod = AdaptMethod.HARD_LIMIT
    level: float = 1.0
    dropped_percentage: float = 3.0
    maximum_level: float = 3.0
    intensity: float = 0.0
    dl_diff_target: float = 0.0
    samples: deque[tuple[int, int, int]] = field(default_factory=lambda: deque(maxlen=SAMPLES))
    drops: DropStats = field(default_factory=DropStats)
    seconds: int = 0

    def second(self, ready: int, waiting: int, signed_in: int, drops: DropStats) -> None:
        """One loop of AST_VDadapt.pl: sample, refresh drops each minute, adjust each 15 s."""
        self.samples.append((ready, waiting, signed_in))
        if self.seconds % DROPS_EVERY == 0:
            self.drops = drops
        self.seconds += 1
        if self.seconds % ADJUST_EVERY == 0:
            self.adjust()

    def adjust(self) -> None:
        n = len(self.samples)
        ready = sum(s[0] for s in self.samples) / n
        waiting = sum(s[1] for s in self.samples) / n
        agents = sum(s[2] for s in self.samples) / n
        if agents <= 0:
            return
        target = ready - waiting + self.dl_diff_target
        mul = target / agents
        pct_raw = mul * 100
        intensity = self.intensity / 100
        # A positive intensity raises faster and lowers slower; a negative one the reverse.
        intensity_diff = pct_raw * (abs(intensity - 1) if pct_raw < 0 else intensity + 1)
        level = round(self.level * (intensity_diff / 100 + 1), 3)
        level = min(level, self.maximum_level)
        level = max(level, 1.0)
        d = self.drops
        if d.calls_one > 20 and _pct(d.drops_one, d.answers_one) > 50:
            level /= 2
        if d.calls_today > 50 and _pct(d.drops_today, d.answers_today) > self.dropped_percentage:
            level = 1.0 if self.method is AdaptMethod.HARD_LIMIT else level / 2
        self.level = max(level, 1.0)

    def calls_to_place(self, active_agents: int, lines_in_use: int) -> int:
        """AST_VDauto_dial.pl: round(level x active agents) lines, minus those in use."""
        goal = round(self.level * active_agents)
        return max(0, goal - lines_in_use)


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0
