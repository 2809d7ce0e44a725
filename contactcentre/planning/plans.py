"""The planning answers the API and the planning page both show: the staffing calculator's,
a range's forecast with its accuracy and the staff it needs, and a logged day's replay, as plain
JSON-ready dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from contactcentre.planning.history import average_handle_time, load_history, observed_patience
from contactcentre.planning.logged_day import replay_day
from routing.planning.check import DEFAULT_CONTACTS, SimulatedCheck, check
from routing.planning.forecast import (
    WEEK,
    Accuracy,
    History,
    IntervalForecast,
    backtest,
    interval_starts,
    same_interval_mean,
)
from routing.planning.replay import Figures as ReplayFigures
from routing.planning.requirements import IntervalRequirement, peak, requirements
from routing.planning.staffing import Demand, Staffing, Target, staff_both
from routing.simulation.stats import Estimate

FORECAST_METHOD = (
    "same-interval mean: each 15-minute interval's contacts averaged over the same weekday and "
    "time in the last N weeks (holidays left out); AHT = their handle time / handled contacts"
)
WAPE_DEFINITION = (
    "WAPE = Σ|actual - forecast| / Σ actual over the held-out weeks' intervals, each week "
    "forecast from the weeks before it; the baseline is the same interval one week before"
)


@dataclass(frozen=True)
class Range:
    """Which demand to forecast: a queue (None: all) on a channel, [start, end) in `zone`."""

    start: datetime
    end: datetime
    zone: ZoneInfo
    queue_id: int | None = None
    channel: str | None = None
    weeks: int = 4
    held_out_weeks: int = 2
    holidays: frozenset[date] = field(default_factory=frozenset)


def _staffing(answer: Staffing) -> dict[str, Any]:
    return {
        "agents": answer.agents,
        "scheduled": answer.scheduled,
        "service_level": _round(answer.service_level),
        "asa_seconds": _round(answer.asa_seconds, 2),
        "occupancy": _round(answer.occupancy),
        "abandon_rate": _round(answer.abandon_rate),
        "limited_by": answer.limited_by,
    }


def _estimate(value: Estimate | None) -> dict[str, float] | None:
    if value is None:
        return None
    return {
        "mean": round(value.mean, 4),
        "low": round(value.low, 4),
        "high": round(value.high, 4),
        "half_width": round(value.half_width, 4),
    }


def _check(result: SimulatedCheck) -> dict[str, Any]:
    return {
        "agents": result.agents,
        "replications": result.replications,
        "measured_hours_per_replication": result.measured_hours,
        "service_level": _estimate(result.service_level),
        "asa_seconds": _estimate(result.asa_seconds),
        "occupancy": _estimate(result.occupancy),
        "abandon_rate": _estimate(result.abandon_rate),
        "covers": result.covers,
    }


def staffing_answer(
    demand: Demand,
    target: Target,
    shrinkage: float,
    *,
    simulate: bool = False,
    replications: int = 8,
    contacts: int = DEFAULT_CONTACTS,
) -> dict[str, Any]:
    """Agents by Erlang C (and A with a patience), each optionally checked by the simulator
    under that model's own assumptions (Erlang C's with nobody hanging up)."""
    models: dict[str, Any] = {}
    for model, answer in staff_both(demand, target, shrinkage).items():
        models[model] = _staffing(answer)
        if simulate and answer.agents > 0:
            assumed = demand if model == "erlang_a" else Demand(
                demand.contacts, demand.aht_seconds, demand.interval_seconds
            )  # fmt: skip
            result = check(
                assumed, answer.agents, target, answer.figures(),
                replications=replications, contacts=contacts,
            )  # fmt: skip
            models[model]["simulation"] = _check(result)
    return {
        "offered_load_erlangs": round(demand.load, 4),
        "models": models,
        "definitions": {
            "service_level": f"answered within {target.answer_seconds:g} s / offered "
            "(abandons count as misses)",
            "asa_seconds": "mean wait of answered contacts, seconds",
            "occupancy": "time on contacts / (time on contacts + available idle time)",
            "abandon_rate": "hung up while queued / offered (Erlang A; 0 under Erlang C)",
            "scheduled": "agents / (1 - shrinkage), rounded up",
            "simulation": "the real routing engine simulated at that many agents: mean and 95% "
            "confidence interval over seeded replications; covers = the CI contains the model",
        },
    }


def _forecast_rows(forecasts: list[IntervalForecast], zone: ZoneInfo) -> list[dict[str, Any]]:
    return [
        {
            "interval_start": f.start.astimezone(zone).isoformat(),
            "contacts": round(f.contacts, 2),
            "aht_seconds": _round(f.aht_seconds, 1),
            "weeks_used": f.weeks_used,
            "holiday": f.holiday,
        }
        for f in forecasts
    ]


def _accuracy(accuracy: Accuracy) -> dict[str, Any]:
    return {
        "held_out_weeks": accuracy.held_out_weeks,
        "intervals": accuracy.intervals,
        "contacts_wape": accuracy.contacts_wape,
        "baseline_contacts_wape": accuracy.baseline_contacts_wape,
        "wape_ratio": _round(accuracy.wape_ratio),
        "aht_wape": accuracy.aht_wape,
        "baseline_aht_wape": accuracy.baseline_aht_wape,
        "definition": WAPE_DEFINITION,
    }


def forecast(session: Session, wanted: Range, now: datetime) -> dict[str, Any]:
    """The range's forecast per interval and the method's accuracy on the weeks before it."""
    return _forecasted(session, wanted, now)[2]


def _forecasted(
    session: Session, wanted: Range, now: datetime
) -> tuple[History, list[IntervalForecast], dict[str, Any]]:
    history = load_history(
        session, until=min(wanted.start, now),
        lookback=(wanted.weeks + wanted.held_out_weeks + len(wanted.holidays)) * WEEK,
        now=now, queue_id=wanted.queue_id, channel=wanted.channel,
    )  # fmt: skip
    starts = interval_starts(wanted.start, wanted.end)
    forecasts = same_interval_mean(history, starts, wanted.zone, wanted.weeks, wanted.holidays)
    accuracy = backtest(history, wanted.zone, wanted.weeks, wanted.held_out_weeks, wanted.holidays)
    return (
        history,
        forecasts,
        {
            "method": FORECAST_METHOD,
            "weeks": wanted.weeks,
            "history": {
                "from": history.start.astimezone(wanted.zone).isoformat(),
                "to": history.end.astimezone(wanted.zone).isoformat(),
                "contacts": sum(a.contacts for a in history.actuals.values()),
                "aht_seconds": _round(average_handle_time(history), 1),
            },
            "holidays": sorted(d.isoformat() for d in wanted.holidays),
            "accuracy": _accuracy(accuracy),
            "intervals": _forecast_rows(forecasts, wanted.zone),
        },
    )


def required_staff(
    session: Session,
    wanted: Range,
    target: Target,
    *,
    shrinkage: float,
    now: datetime,
    patience_seconds: float | None = None,
) -> dict[str, Any]:
    """The forecast's intervals staffed; patience is the one given, or the history's own."""
    history, forecasts, answer = _forecasted(session, wanted, now)
    patience_source = "given"
    if patience_seconds is None:
        patience_seconds = observed_patience(
            session, start=history.start, end=history.end,
            queue_id=wanted.queue_id, channel=wanted.channel,
        )  # fmt: skip
        patience_source = "observed" if patience_seconds is not None else "none"
    rows = requirements(
        forecasts, target, shrinkage=shrinkage, patience_seconds=patience_seconds,
        fallback_aht_seconds=average_handle_time(history),
    )  # fmt: skip
    forecast_rows = answer.pop("intervals")
    answer["patience_seconds"] = _round(patience_seconds, 1)
    answer["patience_source"] = patience_source
    answer["target"] = {
        "service_level": target.service_level,
        "answer_seconds": target.answer_seconds,
        "max_abandon": target.max_abandon,
        "max_occupancy": target.max_occupancy,
        "shrinkage": shrinkage,
    }
    answer["peak"] = {"erlang_c": peak(rows, "erlang_c"), "erlang_a": peak(rows, "erlang_a")}
    answer["intervals"] = [
        {**shown, **_requirement(row)} for shown, row in zip(forecast_rows, rows, strict=True)
    ]
    return answer


def _requirement(row: IntervalRequirement) -> dict[str, Any]:
    return {model: _staffing(answer) for model, answer in row.staffing.items()}


def replay_answer(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    target_seconds: float,
    channel: str = "voice",
    extra_agents: int = 0,
) -> dict[str, Any]:
    """A logged range replayed under today's configuration, beside what was logged."""
    result = replay_day(
        session, start, end, target_seconds=target_seconds, channel=channel,
        extra_agents=extra_agents,
    )  # fmt: skip

    difference = None
    if result.logged.service_level is not None and result.replayed.service_level is not None:
        difference = result.replayed.service_level - result.logged.service_level

    def shown(figures: ReplayFigures) -> dict[str, Any]:
        return {
            "offered": figures.offered,
            "service_level": _round(figures.service_level),
            "asa_seconds": _round(figures.asa_seconds, 2),
            "abandon_rate": _round(figures.abandon_rate),
        }

    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "channel": channel,
        "extra_agents": extra_agents,
        "logged": shown(result.logged),
        "replayed": shown(result.replayed),
        "service_level_difference": _round(difference),
        "mean_patience_seconds": _round(result.mean_patience_seconds, 1),
        "definitions": {
            "service_level": f"answered within {target_seconds:g} s / queued (abandons are misses)",
            "replayed": "the logged contacts (enqueue time, talk + hold, patience) through the "
            "routing engine under today's configuration, every agent who handled one signed in "
            "all day (plus extra_agents copies); answered callers' unseen patience drawn from "
            "the day's mean",
        },
    }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def day_range(day: date, days: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Midnight of `day` to midnight `days` later, in the planner's zone."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    return start, start + timedelta(days=days)
