"""RQ's scheduler locks: who holds each queue's, whether the holder is alive, and proof of death.

rq runs one scheduler per queue under a lock (`SET NX`, 61 s, refreshed every second); a holder
killed with kill -9 keeps it until it expires, so only a holder proven dead may lose it early.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import redis
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.scripts import release_lock
from rq.utils import now, utcparse

log = logging.getLogger(__name__)

# What workers serve (in priority order) and their scheduler schedules.
QUEUES = ("high", "default", "low")
# rq's scheduler beats every second; this many seconds without a beat is no scheduler at all.
STALE_AFTER_SECONDS = 15.0


@cache
def pid_space() -> str:
    """Where a pid names one process: this boot of this machine, in this pid namespace.

    Two containers can share a host name (host networking) and still number processes apart,
    so a host name alone cannot prove that a pid we do not see belongs to a dead process.
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        return f"{boot}:{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:  # no procfs (macOS): one pid space per machine
        return f"{socket.gethostname()}:{uuid.getnode()}"


class PlatformScheduler(RQScheduler):
    """rq's scheduler, recording its pid space and handing over when its worker dies."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built in the worker, which then forks the scheduler: the worker is its parent.
        self.worker_pid = os.getpid()

    def to_dict(self) -> dict[str, str]:
        record: dict[str, str] = super().to_dict()
        return {**record, "pid_space": pid_space()}

    def heartbeat(self) -> None:
        if os.getppid() != self.worker_pid:
            # The worker was killed: stop (releasing the locks) rather than run unsupervised,
            # so the worker that replaces it takes over at once.
            log.warning("scheduler %s: its worker %s is gone; stopping", self.name, self.worker_pid)
            self.request_stop()
        super().heartbeat()  # type: ignore[no-untyped-call]  # rq leaves it untyped


@dataclass(frozen=True)
class LockHolder:
    """The scheduler holding one queue's lock, as its own record in Redis describes it."""

    queue: str
    name: str
    pid: int | None
    pid_space: str | None
    beat_age: float | None  # seconds since its last heartbeat; None when it left no record

    @property
    def alive(self) -> bool:
        return self.beat_age is not None and self.beat_age <= STALE_AFTER_SECONDS

    def provably_dead(self) -> bool:
        """Its pid names no running process in our own pid space, so it can never beat again.

        Anything less than proof (another machine, an unknown record, a reused pid) answers
        False, and the lock is left to expire: that way two schedulers never run at once.
        """
        if self.pid is None or self.pid <= 0 or self.pid_space != pid_space():
            return False
        return not pid_running(self.pid)


def lock_key(queue: str) -> str:
    return str(RQScheduler.get_locking_key(queue))


def lock_holder(client: redis.Redis, queue: str) -> LockHolder | None:
    name = client.get(lock_key(queue))
    if name is None:
        return None
    name = _text(name)
    record = {_text(k): _text(v) for k, v in client.hgetall(SCHEDULER_KEY_TEMPLATE % name).items()}
    beat = record.get("last_heartbeat")
    return LockHolder(
        queue=queue,
        name=name,
        pid=int(record["pid"]) if record.get("pid") else None,
        pid_space=record.get("pid_space"),
        beat_age=(now() - utcparse(beat)).total_seconds() if beat else None,
    )


def release_if_holder_dead(client: redis.Redis, queue: str) -> LockHolder | None:
    """Free a queue's lock whose holder is provably dead; the holder it freed, if any."""
    holder = lock_holder(client, queue)
    if holder is None or not holder.provably_dead():
        return None
    # Token-checked delete: if a new scheduler took the lock meanwhile, it stays untouched.
    if not release_lock(client, lock_key(queue), holder.name):
        return None
    log.warning(
        "released the %s scheduler lock of dead scheduler %s (pid %s)",
        queue,
        holder.name,
        holder.pid,
    )
    return holder


def pid_running(pid: int) -> bool:
    """Whether `pid` names a running process here (a zombie has exited for good)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    try:
        # A zombie has exited for good; only its parent's wait() is missing.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
