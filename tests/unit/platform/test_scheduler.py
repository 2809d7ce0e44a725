"""When a scheduler lock's holder counts as dead: only on proof, never on a guess."""

from __future__ import annotations

import os

from contactcentre.platform.scheduler import STALE_AFTER_SECONDS, LockHolder, pid_space

NO_SUCH_PID = 2**30  # above any kernel's pid limit


def holder(pid: int | None, space: str | None, beat_age: float | None = 1.0) -> LockHolder:
    return LockHolder("default", "s1", pid=pid, pid_space=space, beat_age=beat_age)


def test_gone_pid_in_our_pid_space_is_dead() -> None:
    """A holder whose pid names no process in our own pid space is provably dead."""
    assert holder(NO_SUCH_PID, pid_space()).provably_dead()


def test_running_pid_is_not_dead() -> None:
    """A holder whose pid is a running process is not dead, even with a stale beat."""
    assert not holder(os.getpid(), pid_space(), beat_age=STALE_AFTER_SECONDS * 10).provably_dead()


def test_other_pid_space_is_never_provably_dead() -> None:
    """A pid from another machine or namespace proves nothing: that lock is left to expire."""
    assert not holder(NO_SUCH_PID, "another-machine:1").provably_dead()
    assert not holder(NO_SUCH_PID, None).provably_dead()
    assert not holder(None, pid_space()).provably_dead()


def test_alive_needs_a_recent_beat() -> None:
    """A holder is alive only while its last heartbeat is recent."""
    assert holder(1, None, beat_age=1.0).alive
    assert not holder(1, None, beat_age=STALE_AFTER_SECONDS + 1).alive
    assert not holder(1, None, beat_age=None).alive
