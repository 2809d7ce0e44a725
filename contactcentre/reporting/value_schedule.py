"""The quarter-end CLV snapshot as a scheduled RQ job: at 23:00 UTC on each quarter's last day
every customer gets a history row for the quarter (so a quarter without changes still has
one), the alerts those rows show are written, then sent to the supervisors.

Each quarter is one job id, booked by each run (and by every worker as it starts), so a killed
run or worker never stops the schedule; the job names its quarter, so one run late (a worker
down over New Year) still fills the quarter it was booked for. The snapshot only inserts the
missing rows, so running it again after a kill -9 finishes what the first run began.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Any

import redis
from rq import Queue, get_current_job

from contactcentre.customers.value_alerts import send_pending
from contactcentre.customers.value_history import snapshot_quarter
from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.store.db import Database
from routing.customer_risk import Quarter

log = logging.getLogger(__name__)

JOB_PREFIX = "clv-snapshot_"
QUEUE = "low"
RUN_AT = time(23, 0)  # UTC, on the quarter's last day: after the day's changes, inside it


def quarter_end(quarter: Quarter) -> datetime:
    """When the snapshot of `quarter` runs: 23:00 UTC on its last day."""
    last_day = quarter.next().first_day() - timedelta(days=1)
    return datetime.combine(last_day, RUN_AT, tzinfo=UTC)


def next_run(now: datetime) -> Quarter:
    """The quarter whose snapshot is the next one due after `now`."""
    quarter = Quarter.of(now.astimezone(UTC).date())
    return quarter if now < quarter_end(quarter) else quarter.next()


def schedule_next(connection: redis.Redis, now: datetime | None = None) -> str:
    """Book the next quarter's snapshot; booking it twice leaves one job. Returns its id."""
    quarter = next_run(now or datetime.now(UTC))
    job_id = f"{JOB_PREFIX}{quarter.index}"
    Queue(QUEUE, connection=connection).enqueue_at(
        quarter_end(quarter),
        snapshot_job,
        quarter.index,
        job_id=job_id,
        result_ttl=86_400,
        failure_ttl=30 * 86_400,
    )
    return job_id


def run_snapshot(
    database: Database,
    quarter: Quarter,
    client: redis.Redis | None = None,
    emitter: RealtimeEmitter | None = None,
) -> dict[str, Any]:
    """Snapshot every customer for `quarter`, then send the alerts owed (when given Redis)."""
    with database.session() as session:
        written, alerts = snapshot_quarter(session, quarter)
    sent = send_pending(database, client, emitter) if client and emitter else 0
    return {"quarter": str(quarter), "written": written, "alerts": alerts, "sent": sent}


def snapshot_job(quarter_index: int) -> dict[str, Any]:
    """The RQ job: book the next quarter first (a kill during this run leaves it booked)."""
    quarter = Quarter.from_index(quarter_index)
    job = get_current_job()
    if job is None:  # called outside RQ: rows and alerts written, sent by the next sender
        return run_snapshot(_database(), quarter)
    schedule_next(job.connection, quarter_end(quarter) + timedelta(seconds=1))
    emitter = RealtimeEmitter(job.connection, "", _channel())
    result = run_snapshot(_database(), quarter, job.connection, emitter)
    log.info("clv snapshot: %s", result)
    return result


@cache
def _database() -> Database:
    from contactcentre.settings import Settings

    return Database(Settings().effective_database_url)


@cache
def _channel() -> str:
    from contactcentre.settings import Settings

    return Settings().socketio_channel
