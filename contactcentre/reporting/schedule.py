"""The roll-up as a scheduled RQ job: every 15 seconds, booked one slot ahead by each run (and
by every worker as it starts), so a killed run or worker never stops the schedule.

Each slot has one job id, so any number of workers booking it leave one job. Every 15 s keeps
the tables under a minute behind the log (issue 20's goal) with room for a slow run; a run
with nothing new costs two indexed reads. Two runs never count twice: each batch locks the
watermark row and moves it in the transaction that writes its rows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from datetime import UTC, datetime
from functools import cache
from typing import Any

import redis
from rq import Queue, get_current_job

from contactcentre.reporting.rollup import roll_up
from contactcentre.store.db import Database

log = logging.getLogger(__name__)

EVERY_SECONDS = 15
JOB_PREFIX = "reports-rollup_"
QUEUE = "low"  # one of platform.scheduler.QUEUES: a report may wait behind a customer's email


def next_slot(now: float) -> int:
    """The next slot (a multiple of EVERY_SECONDS, epoch seconds) after `now`."""
    return int(now // EVERY_SECONDS) * EVERY_SECONDS + EVERY_SECONDS


def schedule_next(connection: redis.Redis, now: float | None = None) -> str:
    """Book the roll-up at the next slot; booking a slot twice leaves one job. Returns its id."""
    slot = next_slot(time.time() if now is None else now)
    job_id = f"{JOB_PREFIX}{slot}"
    Queue(QUEUE, connection=connection).enqueue_at(
        datetime.fromtimestamp(slot, UTC),
        rollup_job,
        job_id=job_id,
        result_ttl=3600,
        failure_ttl=86_400,
    )
    return job_id


def rollup_job() -> dict[str, Any]:
    """The RQ job: book the next run first (a kill during this one leaves it booked), then
    bring the interval tables up to the end of the log."""
    job = get_current_job()
    if job is not None:
        schedule_next(job.connection)
    result = roll_up(_database())
    log.info(
        "roll-up: %s events, %s contacts, up to event %s",
        result.events,
        result.contacts,
        result.last_event_id,
    )
    return asdict(result)


@cache
def _database() -> Database:
    """The worker's database, from the environment's settings, once per process."""
    from contactcentre.settings import Settings

    return Database(Settings().effective_database_url)
