"""The worker process: an RQ worker on the platform's Redis, with a heartbeat for /healthz.

It needs no Flask app: jobs get the database and Redis from a Runtime built from settings.
"""

from __future__ import annotations

import logging

import redis
from rq import Queue, Worker

from contactcentre.platform.heartbeat import Heartbeat
from contactcentre.platform.runtime import redis_client, resolve_redis_url
from contactcentre.settings import Settings

QUEUES = ("high", "default", "low")


def run_worker(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level)
    url = resolve_redis_url(settings)
    # Jobs submit tasks (booked callbacks): their pops are built before the offer, as on the web.
    from contactcentre.cti.wiring import install_pop_prebuild

    install_pop_prebuild()
    # RQ stores pickled payloads, so its connection must not decode responses.
    connection = redis.Redis.from_url(url)
    beat = Heartbeat(redis_client(url), "worker", settings.heartbeat_seconds).start()
    try:
        queues = [Queue(name, connection=connection) for name in QUEUES]
        Worker(queues, connection=connection).work(with_scheduler=True)
    finally:
        beat.stop()
