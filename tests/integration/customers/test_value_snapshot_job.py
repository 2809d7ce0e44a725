"""The quarter-end CLV snapshot as the platform runs it: the RQ job fills its quarter's rows,
books the next quarter's run, and a second run of the same quarter writes nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from contactcentre.reporting import value_schedule
from contactcentre.store.db import Database
from contactcentre.store.models import CustomerValueSnapshot
from routing.customer_risk import Quarter
from tests.integration.customers.builders import add_customer


@pytest.fixture
def env(
    database_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    values = {
        "CC_DATABASE_URL": database_url,
        "CC_REDIS_URL": redis_url,
        "CC_INSTANCE_PATH": str(tmp_path / "instance"),
        "CC_SOCKETIO_CHANNEL": f"cc-clv-{os.getpid()}",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def _rows(database: Database, quarter: Quarter) -> int:
    with database.session() as session:
        found = session.scalar(
            select(func.count())
            .select_from(CustomerValueSnapshot)
            .where(CustomerValueSnapshot.quarter == quarter.index)
        )
        return int(found or 0)


def test_the_job_fills_its_quarter_and_books_the_next(
    database: Database, settings: Any, env: dict[str, str]
) -> None:
    with database.session() as session:
        for years in (1, 2, 3):
            add_customer(session, settings, first_name="C", average_purchase_value=10,
                         purchases_per_year=1, relationship_years=years)  # fmt: skip
    quarter = Quarter(2031, 2)
    value_schedule._database.cache_clear()
    value_schedule._channel.cache_clear()
    connection = redis_lib.Redis.from_url(env["CC_REDIS_URL"])
    queue = Queue(value_schedule.QUEUE, connection=connection)
    try:
        for _run in range(2):  # a second run of the quarter (e.g. after a kill) adds nothing
            queue.enqueue(value_schedule.snapshot_job, quarter.index)
            SimpleWorker([queue], connection=connection).work(burst=True)
            assert _rows(database, quarter) == 3
    finally:
        value_schedule._database().dispose()
        value_schedule._database.cache_clear()
    booked = ScheduledJobRegistry(queue=queue).get_job_ids()
    assert f"{value_schedule.JOB_PREFIX}{quarter.next().index}" in booked
