"""Reporting at size: a generated history rebuilt, rolled up while events arrive, reported on.

A history of BENCH_DAYS days x BENCH_PER_DAY contacts (tests/event_histories.py: the shapes the
voice and chat channels log, over four queues with their own targets) ending now is written to
PostgreSQL when BENCH_DATABASE_URL is set (the bench's own database, created if missing and
emptied first; a database named test* is refused), else to SQLite in a scratch directory.

Measures:
- `rebuild_interactions_per_s`: contacts written per second by the full rebuild of the interval
  tables from the event log (`contactcentre.reporting.rollup.rebuild`);
- `rollup_lag_s`: for BENCH_SECONDS, new contacts arrive at BENCH_RATE a second, each event
  written through the event log when it happens, while the roll-up runs every
  BENCH_ROLLUP_EVERY seconds (the scheduled job's EVERY_SECONDS by default); every half second the
  lag is now minus the recording time of the oldest event past the watermark (0 when none):
  the largest lag seen (`rollup_lag_p50_s` the median);
- `report_p95_ms`: the p95 of the main reports over the last 30 days through the API (Flask's
  test client): service level by day and by queue, agents, abandon profile, dispositions,
  BENCH_REPORT_ROUNDS times each;
- `board_mismatches`: queues whose board tile (contacts today, service level) differs from the
  service-level report for the same day, after a last roll-up.
"""

from __future__ import annotations

import heapq
import json
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import percentile, scratch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAYS = int(os.environ.get("BENCH_DAYS", "3"))
PER_DAY = int(os.environ.get("BENCH_PER_DAY", "2000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "150"))
RATE = float(os.environ.get("BENCH_RATE", "5"))
ROUNDS = int(os.environ.get("BENCH_REPORT_ROUNDS", "5"))
AGENTS = 50
QUEUES = ((20, 5), (30, 0), (60, 10), (20, 0))  # (answer target, short-abandon seconds)
WRITE_BATCH = 5_000  # contacts per transaction while the history is written


def _prepare(url: str) -> None:
    """The bench's PostgreSQL database, created if missing and emptied; never a test one."""
    import sqlalchemy as sa

    name = sa.engine.make_url(url).database or ""
    if name.startswith("test"):
        raise SystemExit(f"refusing to empty {name!r}: give the bench a database of its own")
    server = sa.create_engine(
        sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with server.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def _floor(database: Any) -> tuple[list[int], dict[str, str]]:
    """The queues and a supervisor's bearer headers."""
    from contactcentre.store.models import Queue
    from tests.builders import add_person

    with database.session() as session:
        queues = [
            Queue(name=f"Queue {i + 1}", sla_target_seconds=t, short_abandon_seconds=s)
            for i, (t, s) in enumerate(QUEUES)
        ]
        session.add_all(queues)
        session.flush()
        headers = add_person(session, "supervisor", 1)["headers"]
        return [q.id for q in queues], headers


def _event_values(history: Any, index: int, at: datetime, queue_id: int) -> dict[str, Any]:
    kind, _, data = history.steps[index]
    return {
        "interaction_id": history.interaction_id,
        "type": kind,
        "idempotency_key": f"{history.interaction_id}:{index}",
        "occurred_at": at,
        "recorded_at": at,
        "actor": None,
        "data": {k: (queue_id if v == "Q" else v) for k, v in data.items()},
    }


def write_history(database: Any, queue_ids: list[int], now: datetime) -> tuple[int, int]:
    """BENCH_DAYS x BENCH_PER_DAY contacts over the days before `now`, the events each had by
    then, in bulk (the rows the event log writes); returns (contacts, events)."""
    from sqlalchemy import insert

    from contactcentre.store.models import Interaction, InteractionEvent
    from tests.event_histories import Seeded, contact_history

    choose = Seeded(20)
    contacts = events = 0
    total = DAYS * PER_DAY
    for first in range(0, total, WRITE_BATCH):
        rows, logged = [], []
        for n in range(first, min(total, first + WRITE_BATCH)):
            day_start = now - timedelta(days=DAYS - n // PER_DAY)
            history = contact_history(choose, AGENTS, len(queue_ids), span=86_400.0)
            queue_id = queue_ids[history.queue]
            steps = [
                (i, day_start + timedelta(seconds=step[1])) for i, step in enumerate(history.steps)
            ]
            steps = [(i, at) for i, at in steps if at <= now]
            if not steps:
                continue
            rows.append({"id": history.interaction_id, "channel": history.channel})
            logged += [_event_values(history, i, at, queue_id) for i, at in steps]
        with database.session() as session:
            session.execute(insert(Interaction), rows)
            session.execute(insert(InteractionEvent.__table__), logged)
            session.commit()
        contacts, events = contacts + len(rows), events + len(logged)
    return contacts, events


class Arrivals:
    """New contacts at a steady rate, each event written through the event log when it is due."""

    def __init__(self, database: Any, queue_ids: list[int]) -> None:
        from tests.event_histories import Seeded

        self.database, self.queue_ids = database, queue_ids
        self.choose = Seeded(21)
        self.due: list[tuple[float, int, Any, int]] = []
        self.stop = threading.Event()
        self.written = 0

    def run(self, seconds: float) -> None:
        from contactcentre.interactions import event_log
        from contactcentre.interactions.event_log import NewEvent
        from contactcentre.store.models import Interaction
        from tests.event_histories import contact_history

        started = time.time()
        arrived, order = 0, 0
        while not self.stop.is_set() and time.time() - started < seconds:
            now = time.time()
            new = []
            while arrived < (now - started) * RATE:
                history = contact_history(self.choose, AGENTS, len(self.queue_ids), span=0.0)
                new.append(history)
                for index, step in enumerate(history.steps):
                    order += 1
                    heapq.heappush(self.due, (now + step[1], order, history, index))
                arrived += 1
            with self.database.session() as session:
                for history in new:
                    session.add(Interaction(id=history.interaction_id, channel=history.channel))
                while self.due and self.due[0][0] <= now:
                    at, _, history, index = heapq.heappop(self.due)
                    kind, _, data = history.steps[index]
                    queue_id = self.queue_ids[history.queue]
                    values = {k: (queue_id if v == "Q" else v) for k, v in data.items()}
                    when = datetime.fromtimestamp(at, UTC)
                    key = f"{history.interaction_id}:{index}"
                    event_log.record(
                        session, NewEvent(history.interaction_id, kind, when, key, data=values)
                    )
                    self.written += 1
                session.commit()
            time.sleep(0.1)


def _scheduled_rollups(database: Any, every: float, stop: threading.Event) -> None:
    from contactcentre.reporting.rollup import roll_up

    while not stop.wait(every - time.time() % every):
        roll_up(database)


def _lag(database: Any) -> float:
    """Seconds the oldest event past the watermark has waited since it was recorded."""
    from sqlalchemy import func, select

    from contactcentre.reporting.rollup import WATERMARK
    from contactcentre.store.models import InteractionEvent
    from contactcentre.store.models.reporting import ReportWatermark

    with database.session() as session:
        mark = session.scalar(
            select(ReportWatermark.last_event_id).where(ReportWatermark.name == WATERMARK)
        )
        oldest = session.scalar(
            select(func.min(InteractionEvent.recorded_at)).where(InteractionEvent.id > (mark or 0))
        )
    return 0.0 if oldest is None else max(0.0, time.time() - oldest.timestamp())


def measure_lag(database: Any, queue_ids: list[int]) -> tuple[list[float], int]:
    from contactcentre.reporting.schedule import EVERY_SECONDS

    every = float(os.environ.get("BENCH_ROLLUP_EVERY", str(EVERY_SECONDS)))
    arrivals = Arrivals(database, queue_ids)
    stop = threading.Event()
    threads = [
        threading.Thread(target=arrivals.run, args=(SECONDS,), daemon=True),
        threading.Thread(target=_scheduled_rollups, args=(database, every, stop), daemon=True),
    ]
    for thread in threads:
        thread.start()
    lags = []
    while threads[0].is_alive():
        lags.append(_lag(database))
        time.sleep(0.5)
    stop.set()
    threads[1].join()
    return lags, arrivals.written


def measure_reports(client: Any, headers: dict[str, str], today: datetime) -> list[float]:
    span = {
        "from": (today - timedelta(days=29)).date().isoformat(),
        "to": (today + timedelta(days=1)).date().isoformat(),
        "tz": "UTC",
    }
    asks = [
        ("service-level", {"group": "day"}),
        ("service-level", {"group": "queue"}),
        ("agents", {}),
        ("abandon-profile", {}),
        ("dispositions", {}),
    ]
    timings = []
    for _ in range(ROUNDS):
        for name, extra in asks:
            started = time.perf_counter()
            reply = client.get(f"/api/v1/reports/{name}", query_string={**span, **extra},
                               headers=headers)  # fmt: skip
            timings.append((time.perf_counter() - started) * 1000)
            if reply.status_code != 200:
                raise RuntimeError(f"{name}: {reply.status_code} {reply.get_data(as_text=True)}")
    return timings


def board_mismatches(client: Any, headers: dict[str, str]) -> tuple[int, float, list[Any]]:
    """Queues whose tile differs from the service-level report for the board's day."""
    started = time.perf_counter()
    board = client.get("/api/v1/board", headers=headers).get_json()
    board_ms = (time.perf_counter() - started) * 1000
    start = datetime.fromisoformat(board["day_start"])
    day = {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()}
    reply = client.get("/api/v1/reports/service-level", query_string={**day, "group": "queue"},
                       headers=headers)  # fmt: skip
    rows = {r["queue"]: r for r in reply.get_json()["rows"]}
    differing = []
    for tile in board["queues"]:
        row = rows.get(tile["name"], {"offered": 0, "service_level": None})
        level, shown = row["service_level"], tile["service_level"]
        # The tile shows a percentage to 0.1, the report a ratio to 4 places: each rounded
        # from the same figure, they are at most 0.05 + 0.005 points apart (rounding the
        # report's 0.1545 again would give 15.4 for a tile's 15.5 of 0.15453).
        same = (
            level is None and shown is None
            if level is None or shown is None
            else abs(shown - level * 100) <= 0.0551
        )
        if tile["contacts_today"] != row["offered"] or not same:
            differing.append(
                [tile["name"], [tile["contacts_today"], shown], [row["offered"], level]]
            )
    return len(differing), board_ms, differing


def main() -> None:
    from contactcentre.app import create_app
    from contactcentre.reporting.rollup import rebuild, roll_up
    from contactcentre.settings import Settings
    from contactcentre.store.db import Database
    from contactcentre.store.migrate import upgrade

    with scratch("reports") as (work, valkey_url):
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite3'}"
        if "://" in url and not url.startswith("sqlite"):
            _prepare(url)
        upgrade(url)
        database = Database(url)
        queue_ids, headers = _floor(database)
        now = datetime.now(UTC)
        started = time.perf_counter()
        contacts, events = write_history(database, queue_ids, now)
        write_s = time.perf_counter() - started
        print(f"history: {contacts} contacts, {events} events in {write_s:.1f} s", flush=True)

        started = time.perf_counter()
        rebuilt = rebuild(database)
        rebuild_s = time.perf_counter() - started
        print(f"rebuild: {rebuilt} contacts in {rebuild_s:.1f} s", flush=True)

        lags, appended = measure_lag(database, queue_ids)
        roll_up(database)
        print(f"roll-up under {RATE:g} contacts/s: {appended} events, max lag "
              f"{max(lags, default=0):.1f} s", flush=True)  # fmt: skip

        settings = Settings(
            instance_path=work / "instance",
            database_url=url,
            redis_url=valkey_url,
            secret_key="bench-secret-key",
            processes=[],
            gc_freeze=False,
        )
        app = create_app(settings)
        try:
            client = app.test_client()
            timings = measure_reports(client, headers, now)
            mismatches, board_ms, differing = board_mismatches(client, headers)
        finally:
            app.extensions["contactcentre"].close()
            database.dispose()
    print(
        json.dumps(
            {
                "database": "postgresql" if "postgresql" in url else "sqlite",
                "days": DAYS,
                "per_day": PER_DAY,
                "contacts": contacts,
                "events": events,
                "history_write_s": round(write_s, 1),
                "rebuild_s": round(rebuild_s, 1),
                "rollup_lag_p50_s": round(statistics.median(lags), 2) if lags else None,
                "events_appended": appended,
                "rate_contacts_per_s": RATE,
                "board_ms": round(board_ms, 1),
                "board_differing": differing,
                "report_p50_ms": round(statistics.median(timings), 1),
                "rebuild_interactions_per_s": round(rebuilt / rebuild_s, 1),
                "rollup_lag_s": round(max(lags, default=0.0), 2),
                "report_p95_ms": round(percentile(timings, 95), 1),
                "board_mismatches": mismatches,
            }
        )
    )


if __name__ == "__main__":
    main()
