"""The launcher's children: each process in its own process group, started again when it dies.

A crashed process comes back after an exponential backoff (processes/backoff.py), each restart
logged; stopping signals every group, waits, and kills whatever outlives the grace period.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from contactcentre.processes.backoff import RestartBackoff

STOP_GRACE_SECONDS = 10.0
GROUP_GONE_SECONDS = 5.0


@dataclass
class Child:
    """One supervised process; `process` is None while it waits for its restart."""

    name: str
    command: str
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    restarts: int = 0
    last_pid: int = 0  # its process group: what a dead one left behind is signalled through it
    backoff: RestartBackoff = field(default_factory=RestartBackoff)


class Supervisor:
    """Starts processes, restarts the ones that die, and stops them all in order."""

    def __init__(self, env: dict[str, str], cwd: Path, say: Callable[[str], None]) -> None:
        self.env, self.cwd, self.say = env, cwd, say
        self.children: list[Child] = []

    def start(self, name: str, command: str) -> Child:
        child = Child(name, command)
        self.children.append(child)
        self._spawn(child)
        return child

    def tick(self) -> None:
        """Notice processes that exited and restart those whose backoff has passed."""
        for child in self.children:
            if child.process is not None:
                self._notice_exit(child)
            elif child.restart_at is not None and time.monotonic() >= child.restart_at:
                # Whatever it left behind had its SIGTERM and the backoff to go; now it must.
                _signal_group(child.last_pid, signal.SIGKILL)
                _wait_group_gone(child, self.say)
                child.restarts += 1
                self._spawn(child)

    def stop(self) -> None:
        """SIGTERM every group at once, then wait for each in start order; kill stragglers."""
        for child in self.children:
            if child.process is not None and child.process.poll() is None:
                _signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children:
            if child.process is not None:
                try:
                    child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self.say(f"{child.name} did not stop in {STOP_GRACE_SECONDS:.0f} s; killing it")
            # Kill any grandchild that outlived its parent in the same group (a dead child's
            # too), then make sure the group is really empty before saying so.
            _signal_group(child.last_pid, signal.SIGKILL)
            if child.process is not None:
                child.process.wait()
            _wait_group_gone(child, self.say)

    def _notice_exit(self, child: Child) -> None:
        assert child.process is not None
        code = child.process.poll()
        if code is None:
            return
        ran_for = time.monotonic() - child.started_at
        # Its own children (gunicorn's workers, the router's notifier, the worker's scheduler)
        # get SIGTERM now, so they let go of ports and locks before the new one starts.
        _signal_group(child.last_pid, signal.SIGTERM)
        delay = child.backoff.delay(ran_for)
        child.process, child.restart_at = None, time.monotonic() + delay
        self.say(
            f"{child.name} (pid {child.last_pid}) exited with {code} after {ran_for:.0f} s; "
            f"restarting it in {delay:.0f} s"
        )

    def _spawn(self, child: Child) -> None:
        # Own session = own process group: we can signal the whole tree (gunicorn's workers too),
        # and the terminal's Ctrl-C reaches only the launcher, so shutdown happens in its order.
        process = subprocess.Popen(  # noqa: S602 - Procfile lines are shell commands by definition
            child.command,
            shell=True,
            cwd=self.cwd,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        threading.Thread(target=_relay, args=(child.name, process), daemon=True).start()
        child.process, child.last_pid = process, process.pid
        child.started_at, child.restart_at = time.monotonic(), None
        again = f", restart {child.restarts}" if child.restarts else ""
        self.say(f"started {child.name} (pid {process.pid}{again}): {child.command}")


def _relay(name: str, process: subprocess.Popen[bytes]) -> None:
    assert process.stdout is not None
    for raw in iter(process.stdout.readline, b""):
        sys.stdout.write(f"{name:>8} | {raw.decode(errors='replace')}")
        sys.stdout.flush()


def _wait_group_gone(child: Child, say: Callable[[str], None]) -> None:
    deadline = time.monotonic() + GROUP_GONE_SECONDS
    while time.monotonic() < deadline:
        try:
            os.killpg(child.last_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    say(f"warning: processes of {child.name} (group {child.last_pid}) are still exiting")


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)
