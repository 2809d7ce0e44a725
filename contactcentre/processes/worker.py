"""The worker process: an RQ worker on the platform's Redis, with RQ's scheduler and a heartbeat.

It needs no Flask app: jobs get the database and Redis from a Runtime built from settings.
"""

from __future__ import annotations

import logging

import redis
from rq import Queue

from contactcentre.platform.abandoned_jobs import AbandonedJobRescuer, PlatformWorker
from contactcentre.platform.heartbeat import Heartbeat
from contactcentre.platform.runtime import redis_client, redis_retry, resolve_redis_url
from contactcentre.platform.scheduler import QUEUES
from contactcentre.platform.scheduler_keeper import SchedulerKeeper
from contactcentre.reporting import sla_schedule, value_schedule
from contactcentre.reporting.schedule import schedule_next
from contactcentre.settings import Settings


def run_worker(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level)
    url = resolve_redis_url(settings)
    # Jobs submit tasks (booked callbacks): their pops are built before the offer, as on the web.
    from contactcentre.cti.wiring import install_pop_prebuild

    install_pop_prebuild()
    # RQ stores pickled payloads, so its connections must not decode responses.
    # Both ride out a Redis restart (runtime.redis_retry): rq's worker quit on one mid-job.
    connection = redis.Redis.from_url(url, retry=redis_retry())
    beat = Heartbeat(redis_client(url), "worker", settings.heartbeat_seconds).start()
    # The scheduler is ours to keep, not rq's (`with_scheduler`): rq's worker retries a lock left
    # by a killed scheduler only at maintenance, and retries and booked callbacks waited 13 min.
    # The keeper has a connection of its own: rq stretches the worker's timeout to its long poll.
    keeper = SchedulerKeeper(
        redis.Redis.from_url(url, socket_timeout=5, retry=redis_retry())
    ).start()
    # rq hands back a job a killed worker was running only at maintenance (10 min); we do in
    # seconds, once that worker and its work horse are provably dead.
    rescuer = AbandonedJobRescuer(redis.Redis.from_url(url, retry=redis_retry())).start()
    try:
        # Each worker books the next roll-up as it starts: one killed mid-run is not the end
        # of the schedule (the slot's job id keeps it one job however many book it).
        schedule_next(connection)
        sla_schedule.schedule_next(connection)
        value_schedule.schedule_next(connection)  # the quarter-end CLV snapshot
        queues = [Queue(name, connection=connection) for name in QUEUES]
        PlatformWorker(queues, connection=connection).work()
    finally:
        rescuer.stop()
        keeper.stop()
        beat.stop()
