"""Keeps an RQ scheduler running beside a worker, and takes over within seconds of a dead one.

rq's own worker retries a lost scheduler lock only at its maintenance (about every 13 minutes
when idle); this thread retries every second and frees locks whose holders are provably dead.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Sequence
from multiprocessing.process import BaseProcess

import redis

from contactcentre.platform.scheduler import QUEUES, PlatformScheduler, release_if_holder_dead

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
STOP_GRACE_SECONDS = 10.0


class SchedulerKeeper:
    """A daemon thread owning this worker's scheduler process: starts it, restarts it, stops it."""

    def __init__(
        self,
        connection: redis.Redis,
        queues: Sequence[str] = QUEUES,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._connection = connection  # rq's own: it stores pickles, so it must not decode
        self._queues = list(queues)
        self._retry_seconds = retry_seconds
        self._scheduler: PlatformScheduler | None = None
        self._process: BaseProcess | None = None
        self._standing_by = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler-keeper", daemon=True)

    def start(self) -> SchedulerKeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop keeping, then stop the scheduler (it releases its locks on SIGTERM)."""
        self._stop.set()
        self._thread.join(timeout=STOP_GRACE_SECONDS)
        process = self._process
        if process is None or not process.is_alive():
            return
        assert process.pid is not None
        os.kill(process.pid, signal.SIGTERM)
        process.join(timeout=STOP_GRACE_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._keep()
            except redis.RedisError as exc:
                log.warning("scheduler keeper: Redis failed (%s); retrying", exc)
            self._stop.wait(self._retry_seconds)

    def _keep(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                return
            log.warning(
                "scheduler process %s exited with %s; starting another",
                self._process.pid,
                self._process.exitcode,
            )
            # Its holder is our own child, reaped: nobody else can be using these locks.
            if self._scheduler is not None:
                self._scheduler.release_locks()
            self._scheduler = self._process = None
        for queue in self._queues:
            release_if_holder_dead(self._connection, queue)
        if self._scheduler is None:
            # A new name for each scheduler process, so a dead one's record never describes a
            # live one; while standing by, the same unstarted one keeps asking.
            self._scheduler = PlatformScheduler(self._queues, connection=self._connection)
        if not self._scheduler.acquire_locks():
            if not self._standing_by:
                log.info("another live scheduler holds the locks; standing by")
            self._standing_by = True
            return
        self._standing_by = False
        if self._stop.is_set():  # stop() came while we took the locks: give them back
            self._scheduler.release_locks()
            return
        self._process = self._scheduler.start()
