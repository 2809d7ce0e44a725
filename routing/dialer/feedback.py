"""The slow loop: the predictive pacer's risk target follows the measured abandon rate.

The model's risk figures are approximations (independent answers, a normal approximation, a
lower bound on abandons), so the target the pacer is given is corrected by what really
happened: raised a little while the measured rate is under the aim (which sits below the legal
limit), lowered while it is over. Pure: the state is a value, update() returns the next one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class AbandonFeedback:
    """target: the next call's P(live answer, no free agent) that the pacer may accept.

    Each update multiplies it by exp(gain x (aim - measured) / aim), bounded by max_step and
    by [floor, ceiling]; measurements of fewer than min_live live answers are ignored. The
    measured rate is the recent window's, plus the day's excess over the aim if it has one, so
    that an early excess is paid back instead of carried to the end of the day.
    """

    aim: float
    target: float = 0.02
    gain: float = 0.1
    max_step: float = 1.25
    floor: float = 0.001
    ceiling: float = 0.3
    min_live: int = 30

    def __post_init__(self) -> None:
        if not 0 < self.aim < 1:
            raise ValueError("aim must be a rate in (0, 1)")
        if not 0 < self.floor <= self.target <= self.ceiling < 1:
            raise ValueError("the target must lie within [floor, ceiling] inside (0, 1)")
        if self.gain <= 0 or self.max_step <= 1:
            raise ValueError("gain must be positive and max_step above 1")

    def update(
        self, live: int, abandoned: int, day_live: int = 0, day_abandoned: int = 0
    ) -> AbandonFeedback:
        """The state after measuring `abandoned` of `live` answers over the recent window
        (and `day_abandoned` of `day_live` since the day began)."""
        if live < self.min_live:
            return self
        measured = abandoned / live
        if day_live >= self.min_live:
            measured += max(0.0, day_abandoned / day_live - self.aim)
        step = math.exp(self.gain * (self.aim - measured) / self.aim)
        step = min(self.max_step, max(1 / self.max_step, step))
        return replace(self, target=min(self.ceiling, max(self.floor, self.target * step)))
