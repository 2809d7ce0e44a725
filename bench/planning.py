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
- `requirements_seconds`: staffing every interval of a 14-day forecast by both models;
- `replay_sl_error`, `replay_seconds`: a day of BENCH_REPLAY_CONTACTS calls over 10 hours
  (AHT 180 s, 2-minute patience, the agents Erlang A asks for 80/20) routed by the real engine
  under a SQLite database's own configuration and written to its interaction_events as the
  voice channel logs them; then read back from the log and replayed under the unchanged
  configuration (contactcentre/planning/logged_day.py): |replayed SL - logged SL| and the
  replay's seconds (reading the log, rebuilding, simulating). Goals ≤ 0.01 and ≤ 30 s.

Tiny size for bench/smoke.py: BENCH_SEEDS=1 BENCH_WEEKS=4 BENCH_HELD_OUT=1 BENCH_MEAN_WEEKS=2
BENCH_CASES=1 BENCH_SIM_CONTACTS=2000 BENCH_REPLAY_CONTACTS=300.
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
REPLAY_CONTACTS = int(os.environ.get("BENCH_REPLAY_CONTACTS", "20000"))
REPLAY_HOURS = 10.0
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


def replay_accuracy() -> tuple[float | None, float, int]:
    """(SL error, replay seconds, contacts) for a generated logged day in a scratch database."""
    import math
    import tempfile
    from datetime import UTC

    from contactcentre.planning.logged_day import replay_day
    from contactcentre.store.db import Database
    from contactcentre.store.migrate import upgrade
    from routing.planning.staffing import staff
    from tests.builders import add_agents, add_queue
    from tests.demand_history import simulate_logged_day

    per_hour = REPLAY_CONTACTS / REPLAY_HOURS
    demand = Demand(per_hour, 180.0, 3600.0, 120.0)
    agents = max(1, staff("erlang_a", demand, TARGET).agents)
    day = datetime(2026, 5, 4, 8, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="bench-planning-") as work:
        url = f"sqlite:///{Path(work) / 'replay.sqlite3'}"
        upgrade(url)
        database = Database(url)
        with database.session() as session:
            queue = add_queue(session, "Support")
            rows = add_agents(session, agents, password_hash="not-a-login")
            session.commit()
            started = time.perf_counter()
            contacts, events = simulate_logged_day(
                session, queue_id=queue.id, agent_ids=[a.id for a in rows], day_start=day,
                calls_per_hour=per_hour, hours=REPLAY_HOURS, seed=11,
            )  # fmt: skip
            took = time.perf_counter() - started
            print(f"logged day: {contacts} contacts, {events} events, {agents} agents, "
                  f"{took:.1f} s to generate and write", flush=True)  # fmt: skip
        started = time.perf_counter()
        with database.session() as session:
            result = replay_day(session, day, day + timedelta(hours=REPLAY_HOURS),
                                target_seconds=TARGET.answer_seconds)  # fmt: skip
        seconds = time.perf_counter() - started
        database.dispose()
    print(f"logged {result.logged}\nreplayed {result.replayed}", flush=True)
    error = result.service_level_error
    return (None if error is None or math.isnan(error) else error), seconds, contacts


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def main() -> None:
    accuracy = forecast_accuracy()
    covered, _ = simulator_agreement()
    seconds = requirements_time()
    replay_error, replay_seconds, replayed = replay_accuracy()
    print(json.dumps({
        "forecast_wape_ratio": accuracy["forecast_wape_ratio"],
        "forecast_wape_ratio_goal": 1.0,
        "forecast_wape": accuracy["forecast_wape"],
        "baseline_wape": accuracy["baseline_wape"],
        "aht_wape_ratio": accuracy["aht_wape_ratio"],
        "simulator_covers": round(covered, 4),
        "requirements_seconds": round(seconds, 3),
        "replay_sl_error": None if replay_error is None else round(replay_error, 6),
        "replay_sl_error_goal": 0.01,
        "replay_seconds": round(replay_seconds, 2),
        "replay_seconds_goal": 30.0,
        "replay_contacts": replayed,
        "seeds": SEEDS, "weeks": WEEKS, "held_out_weeks": HELD_OUT, "mean_weeks": MEAN_WEEKS,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
