"""The roll-up as the platform runs it: the CLI's rebuild, the scheduled RQ job, and a roll-up
process killed with SIGKILL half-way through, after which the next run leaves exactly what a
rebuild leaves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from contactcentre.cli import main
from contactcentre.reporting import schedule
from contactcentre.reporting.rollup import rebuild, roll_up
from contactcentre.settings import PROJECT_ROOT
from contactcentre.store.db import Database
from contactcentre.store.models import InteractionEvent, ReportWatermark
from contactcentre.store.models import Queue as CallQueue
from tests.integration.reporting.event_logs import call, snapshot, write

START = datetime(2026, 5, 4, 8, tzinfo=UTC)


def _log(database: Database, calls: int) -> list[int]:
    with database.session() as session:
        queues = [CallQueue(name="Billing"), CallQueue(name="Sales", sla_target_seconds=30)]
        session.add_all(queues)
        session.flush()
        ids = [q.id for q in queues]
        for index in range(calls):
            write(session, START, call(index), ids, None)
    return ids


@pytest.fixture
def env(
    database_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    values = {
        "CC_DATABASE_URL": database_url,
        "CC_REDIS_URL": redis_url,
        "CC_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def test_the_rebuild_command_equals_the_roll_up(database: Database, env: dict[str, str]) -> None:
    """`contactcentre reports rebuild` (whole, then a range) leaves the tables as rolled up."""
    _log(database, 60)
    roll_up(database)
    before = snapshot(database)
    result = CliRunner().invoke(main, ["reports", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rebuilt 60 contacts" in result.output
    assert snapshot(database) == before
    ranged = CliRunner().invoke(
        main, ["reports", "rebuild", "--from", "2026-05-04T08:10", "--to", "2026-05-04T09:00+00:00"]
    )
    assert ranged.exit_code == 0, ranged.output
    assert snapshot(database) == before


def test_the_rebuild_command_names_a_bad_option(env: dict[str, str]) -> None:
    """A date that is not ISO 8601, or a range that ends before it starts, names the option."""
    bad = CliRunner().invoke(main, ["reports", "rebuild", "--from", "yesterday"])
    assert bad.exit_code == 2 and "--from" in bad.output
    backwards = CliRunner().invoke(
        main, ["reports", "rebuild", "--from", "2026-05-04", "--to", "2026-05-03"]
    )
    assert backwards.exit_code == 2 and "--to" in backwards.output


def test_the_scheduled_job_rolls_up_and_books_the_next_slot(
    database: Database, env: dict[str, str], redis_client: Any
) -> None:
    """The RQ job fills the tables and books itself one slot on; booking a slot twice leaves
    one job."""
    import redis as redis_lib

    _log(database, 20)
    schedule._database.cache_clear()
    connection = redis_lib.Redis.from_url(env["CC_REDIS_URL"])
    queue = Queue(schedule.QUEUE, connection=connection)
    every = schedule.EVERY_SECONDS
    first = schedule.schedule_next(connection, now=100 * every + 1.0)
    again = schedule.schedule_next(connection, now=101 * every - 1.0)
    assert first == again == f"{schedule.JOB_PREFIX}{101 * every}"
    assert every <= 20  # frequent enough to keep the tables under a minute behind the log
    registry = ScheduledJobRegistry(queue=queue)
    assert registry.get_job_ids().count(first) == 1
    queue.enqueue(schedule.rollup_job)
    SimpleWorker([queue], connection=connection).work(burst=True)
    with database.session() as session:
        mark = session.get(ReportWatermark, "intervals")
        assert mark is not None
        assert mark.last_event_id == session.scalar(select(func.max(InteractionEvent.id)))
    booked = [j for j in registry.get_job_ids() if j.startswith(schedule.JOB_PREFIX) and j != first]
    assert booked, "the job booked its next run"
    for job_id in registry.get_job_ids():
        registry.remove(job_id, delete_job=True)
    schedule._database.cache_clear()


ROLL_IN_BATCHES = """
import sys
from contactcentre.reporting.rollup import roll_up
from contactcentre.store.db import Database
database = Database(sys.argv[1])
while not roll_up(database, batch=200, max_batches=1).caught_up:
    print("batch", flush=True)
"""


def test_a_roll_up_killed_mid_run_is_resumed_exactly(database: Database, database_url: str) -> None:
    """kill -9 of a roll-up process after its first batch: the next roll-up ends with tables
    exactly equal to a rebuild from the log, and the watermark at the log's end."""
    _log(database, 800)
    process = subprocess.Popen(
        [sys.executable, "-c", ROLL_IN_BATCHES, database_url],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == b"batch"
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    with database.session() as session:
        mark = session.get(ReportWatermark, "intervals")
        end = session.scalar(select(func.max(InteractionEvent.id)))
        assert mark is not None and 0 < mark.last_event_id < (end or 0), "killed half-way"
    roll_up(database)
    resumed = snapshot(database)
    rebuild(database)
    assert snapshot(database) == resumed
    with database.session() as session:
        mark = session.get(ReportWatermark, "intervals")
        assert mark is not None and mark.last_event_id == end
