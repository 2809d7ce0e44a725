"""The SLA watch as a scheduled RQ job: every 5 seconds, and also at the next instant a running
clock warns or falls due, booked by each run (and by every worker as it starts), so a killed
run or worker never stops the schedule.

Each slot is one job id (its second), so any number of workers booking it leave one job.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict
from datetime import UTC, datetime
from functools import cache
from typing import Any

import redis
from rq import Queue, get_current_job

from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.reporting.sla_watch import watch
from contactcentre.store.db import Database

log = logging.getLogger(__name__)

EVERY_SECONDS = 5
JOB_PREFIX = "sla-watch_"
QUEUE = "high"  # an alert late by a queue of emails to send is an alert missed


def next_slot(now: float, due: float | None = None) -> int:
    """The next whole 5 seconds after `now`, or the second a clock falls due if sooner."""
    regular = int(now // EVERY_SECONDS) * EVERY_SECONDS + EVERY_SECONDS
    if due is not None and now < due < regular:
        return max(math.ceil(due), int(now) + 1)
    return regular


def schedule_next(
    connection: redis.Redis, now: float | None = None, due: float | None = None
) -> str:
    """Book the watch at the next slot; booking a slot twice leaves one job. Returns its id."""
    slot = next_slot(time.time() if now is None else now, due)
    job_id = f"{JOB_PREFIX}{slot}"
    Queue(QUEUE, connection=connection).enqueue_at(
        datetime.fromtimestamp(slot, UTC),
        watch_job,
        job_id=job_id,
        result_ttl=600,
        failure_ttl=86_400,
    )
    return job_id


def watch_job() -> dict[str, Any]:
    """The RQ job: book the next regular run first (a kill during this one leaves it booked),
    run the watch, then book one at the next warning or due time if that comes sooner."""
    job = get_current_job()
    if job is None:  # called outside RQ: clocks and alerts written, sent by the next job
        return asdict(watch(_database()))
    schedule_next(job.connection)
    # The job's own Redis connection sends the alerts: a work horse never resolves (or
    # starts) a Redis of its own.
    emitter = RealtimeEmitter(job.connection, "", _channel())
    result = watch(_database(), job.connection, emitter)
    if result.next_due is not None:
        schedule_next(job.connection, due=result.next_due)
    if result.events or result.alerts or result.sent:
        log.info(
            "sla watch: %s events, %s clocks, %s alerts written, %s sent",
            result.events,
            result.contacts,
            result.alerts,
            result.sent,
        )
    return asdict(result)


@cache
def _database() -> Database:
    """The worker's database, from the environment's settings, once per process."""
    from contactcentre.settings import Settings

    return Database(Settings().effective_database_url)


@cache
def _channel() -> str:
    """The Socket.IO message-queue channel the web processes listen on."""
    from contactcentre.settings import Settings

    return Settings().socketio_channel
