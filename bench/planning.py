"""Workforce planning on generated seasonal demand: the forecast against the naive baseline, the
staffing answers against the simulator, and the time a fortnight's requirements take.

BENCH_SEEDS histories (tests/demand_history.py: a weekly season, open 08:00-20:00 with two
daily peaks, Poisson contacts, gamma-distributed interval handle times) of BENCH_WEEKS weeks
each, peak BENCH_PEAK contacts a quarter hour, in Europe/Madrid (a daylight-saving change
inside). Measures:
- `forecast_wape_ratio`: the same-interval mean of the last BENCH_MEAN_WEEKS weeks, WAPE of
  contacts on the last BENCH_HELD_OUT weeks (each week forecast from the weeks before it),
  over the naive baseline's WAPE (the same interval one week before), pooled over the seeds.
  Goal ≤ 1.0. `aht_wape_ratio` is the same for AHT (handled-weighted);
- `simulator_covers`: of the staffing answers for BENCH_CASES textbook demands by Erlang C and
  Erlang A, the share whose simulated 95% CIs (service level, ASA, occupancy, abandon rate)
  all cover the model's values, BENCH_SIM_CONTACTS simulated contacts each;
- `requirements_seconds`: staffing every interval of a 14-day forecast by both models.

Tiny size for bench/smoke.py: BENCH_SEEDS=1 BENCH_WEEKS=4 BENCH_HELD_OUT=1 BENCH_MEAN_WEEKS=2
BENCH_CASES=1 BENCH_SIM_CONTACTS=2000. The what-if replay's keys (replay_sl_error,
replay_seconds) are not measured: the replay is not built yet (docs/planning.md).
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from routing.planning.check import check  # noqa: E402
from routing.planning.forecast import (  # noqa: E402
    History,
    backtest,
    interval_starts,
    same_interval_mean,
)
from routing.planning.requirements import requirements  # noqa: E402
from routing.planning.staffing import Demand, Target, staff_both  # noqa: E402
from tests.demand_history import seasonal_history  # noqa: E402

SEEDS = int(os.environ.get("BENCH_SEEDS", "5"))
WEEKS = int(os.environ.get("BENCH_WEEKS", "12"))
HELD_OUT = int(os.environ.get("BENCH_HELD_OUT", "4"))
MEAN_WEEKS = int(os.environ.get("BENCH_MEAN_WEEKS", "4"))
PEAK = float(os.environ.get("BENCH_PEAK", "40"))
CASES = int(os.environ.get("BENCH_CASES", "4"))
SIM_CONTACTS = int(os.environ.get("BENCH_SIM_CONTACTS", "40000"))
ZONE = ZoneInfo("Europe/Madrid")
START = datetime(2026, 2, 2, tzinfo=ZONE)  # a Monday; Madrid changes clocks on 29 March
TARGET = Target(service_level=0.8, answer_seconds=20)
# (contacts, interval seconds, AHT, patience): Call Centre Helper's worked example, Westbay's
# Erlang-C example, and two smaller queues with impatient callers.
TEXTBOOK = (
    (100, 1800, 180, 120.0),
    (360, 1800, 240, 300.0),
    (20, 900, 300, 60.0),
    (50, 900, 420, 180.0),
)


def forecast_accuracy() -> dict[str, float | None]:
    errors = {"method": 0.0, "baseline": 0.0, "aht": 0.0, "aht_baseline": 0.0, "volume": 0.0}
    for seed in range(1, SEEDS + 1):
        actuals = seasonal_history(WEEKS, start=START, peak_contacts=PEAK, seed=seed)
        history = History.of(START, START + timedelta(weeks=WEEKS), actuals)
        accuracy = backtest(history, ZONE, weeks=MEAN_WEEKS, held_out_weeks=HELD_OUT)
        # Pooled over seeds as the sums they are ratios of: every seed weighs its own volume.
        held_out_from = history.end - timedelta(weeks=HELD_OUT)
        volume = sum(a.contacts for a in actuals if a.start >= held_out_from)
        errors["method"] += (accuracy.contacts_wape or 0.0) * volume
        errors["baseline"] += (accuracy.baseline_contacts_wape or 0.0) * volume
        errors["aht"] += (accuracy.aht_wape or 0.0) * volume
        errors["aht_baseline"] += (accuracy.baseline_aht_wape or 0.0) * volume
        errors["volume"] += volume
        print(f"seed {seed}: {accuracy}", flush=True)
    return {
        "forecast_wape_ratio": _ratio(errors["method"], errors["baseline"]),
        "aht_wape_ratio": _ratio(errors["aht"], errors["aht_baseline"]),
        "forecast_wape": _ratio(errors["method"], errors["volume"]),
        "baseline_wape": _ratio(errors["baseline"], errors["volume"]),
    }


def simulator_agreement() -> tuple[float, list[dict[str, object]]]:
    checks = []
    for contacts, seconds, aht, patience in TEXTBOOK[:CASES]:
        with_patience = Demand(contacts, aht, seconds, patience)
        for model, answer in staff_both(with_patience, TARGET).items():
            demand = with_patience if model == "erlang_a" else Demand(contacts, aht, seconds)
            result = check(demand, answer.agents, TARGET, answer.figures(), contacts=SIM_CONTACTS)
            checks.append({"case": [contacts, seconds, aht, patience], "model": model,
                           "agents": answer.agents, "covers": result.covers})  # fmt: skip
            print(json.dumps(checks[-1]), flush=True)
    covered = sum(all(c["covers"].values()) for c in checks)  # type: ignore[union-attr]
    return covered / len(checks), checks


def requirements_time() -> float:
    actuals = seasonal_history(6, start=START, peak_contacts=PEAK, seed=1)
    history = History.of(START, START + timedelta(weeks=6), actuals)
    begin = START + timedelta(weeks=6)
    started = time.perf_counter()
    forecasts = same_interval_mean(
        history, interval_starts(begin, begin + timedelta(days=14)), ZONE
    )
    requirements(forecasts, TARGET, shrinkage=0.3, patience_seconds=120.0,
                 fallback_aht_seconds=300.0)  # fmt: skip
    return time.perf_counter() - started


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def main() -> None:
    accuracy = forecast_accuracy()
    covered, _ = simulator_agreement()
    seconds = requirements_time()
    print(json.dumps({
        "forecast_wape_ratio": accuracy["forecast_wape_ratio"],
        "forecast_wape_ratio_goal": 1.0,
        "forecast_wape": accuracy["forecast_wape"],
        "baseline_wape": accuracy["baseline_wape"],
        "aht_wape_ratio": accuracy["aht_wape_ratio"],
        "simulator_covers": round(covered, 4),
        "requirements_seconds": round(seconds, 3),
        "seeds": SEEDS, "weeks": WEEKS, "held_out_weeks": HELD_OUT, "mean_weeks": MEAN_WEEKS,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
