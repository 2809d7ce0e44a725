"""Required staff per interval: each interval's forecast contacts and AHT through the staffing
calculator, by Erlang C and (when the callers' patience is known) Erlang A.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from routing.planning.forecast import IntervalForecast
from routing.planning.staffing import Demand, Model, Staffing, Target, staff_both


@dataclass(frozen=True)
class IntervalRequirement:
    """One interval: what it is forecast to bring and the agents it needs by each model."""

    start: datetime
    contacts: float
    aht_seconds: float | None
    holiday: bool
    staffing: dict[Model, Staffing]


def requirements(
    forecasts: Sequence[IntervalForecast],
    target: Target,
    *,
    shrinkage: float = 0.0,
    patience_seconds: float | None = None,
    fallback_aht_seconds: float | None = None,
    interval_seconds: float = 900.0,
) -> list[IntervalRequirement]:
    """Staff every interval. An interval forecast to have contacts but no AHT (no past contact
    in it was handled) uses fallback_aht_seconds, the whole history's AHT; without one it is
    left unstaffed (an empty staffing) rather than guessed."""
    rows = []
    for forecast in forecasts:
        aht = forecast.aht_seconds or fallback_aht_seconds
        staffing: dict[Model, Staffing] = {}
        if aht is not None:
            demand = Demand(forecast.contacts, aht, interval_seconds, patience_seconds)
            staffing = staff_both(demand, target, shrinkage)
        rows.append(
            IntervalRequirement(forecast.start, forecast.contacts, aht, forecast.holiday, staffing)
        )
    return rows


def peak(rows: Sequence[IntervalRequirement], model: Model) -> int:
    """The most agents any interval needs on the phones under `model` (0 when none is staffed)."""
    return max((r.staffing[model].agents for r in rows if model in r.staffing), default=0)
