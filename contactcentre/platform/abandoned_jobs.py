"""Jobs a killed worker was running are handed back within seconds, not ten minutes.

rq notices an abandoned job only at some worker's maintenance (every 10 minutes), and only once
the job's heartbeat has lapsed (90 s): a screen pop or a transcript waited that long after
kill -9 of its worker. Here a job counts as abandoned as soon as its worker and that worker's
work horse are provably dead (their pids name no running process in our pid space); rq's own
clean-up then retries it (or fails it, if it has no retries left), as it would have later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import redis
from rq import Queue, Worker
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from contactcentre.platform.scheduler import QUEUES, pid_running, pid_space

log = logging.getLogger(__name__)
RESCUE_EVERY_SECONDS = 2.0
HORSE_PID = "horse_pid"
PID_SPACE = "pid_space"


class PlatformWorker(Worker):
    """rq's worker, leaving in its record what proves it dead: its pid space, and the pid of
    the work horse running its job (a horse outlives a worker killed alone, and finishes)."""

    def register_birth(self) -> None:
        super().register_birth()  # type: ignore[no-untyped-call]  # rq leaves it untyped
        self.connection.hset(self.key, PID_SPACE, pid_space())

    def fork_work_horse(self, job: Job, queue: Queue) -> None:
        super().fork_work_horse(job, queue)  # returns only in the worker, the horse runs on
        self.connection.hset(self.key, HORSE_PID, str(self.horse_pid))


def worker_provably_dead(connection: redis.Redis, worker_name: str | None) -> bool:
    """The worker and its last horse run no more: gone from our pid space, or its record gone
    (rq lets it expire after 7 minutes without a heartbeat). Anything less is not proof."""
    if not worker_name:
        return False
    record = {_text(k): _text(v) for k, v in connection.hgetall(f"rq:worker:{worker_name}").items()}
    if not record:
        return True
    if record.get(PID_SPACE) != pid_space():
        return False  # another machine, or a worker that did not say where it runs
    pids = [int(record[key]) for key in ("pid", HORSE_PID) if record.get(key, "").isdigit()]
    return bool(pids) and not any(pid_running(pid) for pid in pids)


def rescue_abandoned_jobs(connection: redis.Redis, queues: Sequence[str] = QUEUES) -> list[str]:
    """Hand every abandoned started job of `queues` to rq's clean-up; the job ids handed."""
    rescued: list[str] = []
    for name in queues:
        queue = Queue(name, connection=connection)
        registry = StartedJobRegistry(queue=queue)
        entries: list[bytes] = connection.zrange(registry.key, 0, -1)  # type: ignore[assignment]
        abandoned = [entry for entry in entries if _abandoned(connection, registry, entry)]
        if not abandoned:
            continue
        # rq's clean-up takes entries whose expiry has passed: these, expired now, and none of
        # the live ones (their scores are times to come, or -1 for no expiry).
        connection.zadd(registry.key, dict.fromkeys(abandoned, 0), xx=True)
        registry.cleanup(timestamp=1)
        ids = [registry.parse_job_id(_text(entry)) for entry in abandoned]
        log.warning("jobs %s of queue %s were left by a dead worker; retried", ids, name)
        rescued += ids
    return rescued


def _abandoned(connection: redis.Redis, registry: StartedJobRegistry, entry: Any) -> bool:
    try:
        job = Job.fetch(registry.parse_job_id(_text(entry)), connection=connection)
    except Exception:
        return False
    if job.get_status(refresh=False) != JobStatus.STARTED:
        return False
    return worker_provably_dead(connection, job.worker_name)


class AbandonedJobRescuer:
    """A daemon thread of the worker process: rescue_abandoned_jobs every few seconds."""

    def __init__(self, connection: redis.Redis, every: float = RESCUE_EVERY_SECONDS) -> None:
        self._connection = connection  # rq's own kind: it stores pickles, so it must not decode
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="abandoned-jobs", daemon=True)

    def start(self) -> AbandonedJobRescuer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                rescue_abandoned_jobs(self._connection)
            except Exception:  # a Redis blip must not end the thread
                log.exception("abandoned job rescue failed; retrying")


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
