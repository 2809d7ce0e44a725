"""`make run`'s launcher: brings everything up from nothing, restarts what dies, leaves nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis

from contactcentre.platform import heartbeat
from contactcentre.platform.embedded_valkey import free_loopback_port
from contactcentre.settings import PROJECT_ROOT

STARTED = re.compile(r"started (\S+) \(pid (\d+)")


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return predicate()


class Launcher:
    """`python -m contactcentre up` in its own group, its output collected as it comes."""

    def __init__(self, tmp_path: Path, **extra_env: str) -> None:
        self.port = free_loopback_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CC_", "TEST_"))}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env.update(
            CC_INSTANCE_PATH=str(tmp_path / "instance"),
            PORT=str(self.port),
            CC_WEB_PORT=str(self.port),
            CC_HEARTBEAT_SECONDS="1",
            CC_EMULATOR_PORT=str(free_loopback_port()),  # the demo carrier, on a port of its own
            **extra_env,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "contactcentre", "up"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own group, so SIGINT can go to the group like Ctrl-C
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def started(self) -> list[tuple[str, int]]:
        return [(name, int(pid)) for name, pid in STARTED.findall(self.output)]

    def health(self) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                return dict(json.load(r))
        except OSError:
            return {}

    def ctrl_c(self) -> None:
        # A terminal's Ctrl-C signals the whole foreground process group, not one process.
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=60)
        self._reader.join(timeout=10)


def _assert_stopped_cleanly(launcher: Launcher) -> None:
    assert launcher.process.returncode == 0, launcher.output
    output = launcher.output
    assert "no process left behind" in output
    # The launcher's own line: RQ's scheduler also logs "stopping" when a worker is restarted.
    shutdown = output[output.index("up | stopping…") :]
    assert "Traceback" not in shutdown, shutdown
    for name, pid in launcher.started():
        assert not _group_alive(pid), f"process group {pid} ({name}) still running"


@pytest.mark.slow
def test_up_serves_health_and_ctrl_c_leaves_nothing(tmp_path: Path) -> None:
    """From an empty instance dir: Valkey, migrations, demo data, web, worker, a leader router and
    its standby come up; /healthz is green; SIGINT stops every process group."""
    launcher = Launcher(tmp_path)
    try:
        up = _wait_for(lambda: "Contact centre is up." in launcher.output, 120)
        assert up, launcher.output
        # The worker's and routers' first heartbeats may trail the web process.
        assert _wait_for(lambda: launcher.health().get("status") == "ok", 20), launcher.health()
        health = launcher.health()
        assert health["processes"]["router"]["instances"] == 2, health
        names = [name for name, _ in launcher.started()]
        assert {"web", "worker", "router.1", "router.2"} <= set(names), names
    finally:
        launcher.ctrl_c()
    _assert_stopped_cleanly(launcher)
    port_open = subprocess.run(
        [
            "python3",
            "-c",
            f"import socket; socket.create_connection(('127.0.0.1', {launcher.port}), 1)",
        ],
        capture_output=True,
        check=False,
    )
    assert port_open.returncode != 0, "the web port is still answering"


@pytest.mark.slow
def test_a_killed_process_is_restarted(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis
) -> None:
    """kill -9 of a running child is logged and the child comes back, beating again, while the
    rest keeps running; Ctrl-C still stops everything."""
    launcher = Launcher(tmp_path, CC_REDIS_URL=redis_url, CC_DEMO_PROCESSES="false")
    try:
        assert _wait_for(lambda: "Contact centre is up." in launcher.output, 120), launcher.output
        assert _wait_for(lambda: bool(heartbeat.alive(redis_client, "worker")), 30)
        before = {i["pid"] for i in heartbeat.alive(redis_client, "worker")}
        (worker_pid,) = [pid for name, pid in launcher.started() if name == "worker"]
        others = [pid for name, pid in launcher.started() if name != "worker"]

        os.kill(worker_pid, signal.SIGKILL)

        def restarted() -> bool:
            return any(name == "worker" and pid != worker_pid for name, pid in launcher.started())

        assert _wait_for(restarted, 30), launcher.output
        assert re.search(rf"worker \(pid {worker_pid}\) exited with -9", launcher.output)
        assert "restart 1" in launcher.output

        def beats_anew() -> bool:
            pids = {i["pid"] for i in heartbeat.alive(redis_client, "worker")}
            return bool(pids) and not pids & before

        assert _wait_for(beats_anew, 60), heartbeat.alive(redis_client, "worker")
        assert _wait_for(lambda: launcher.health().get("status") == "ok", 60), launcher.health()
        assert all(_group_alive(pid) for pid in others), "the other processes were disturbed"
    finally:
        launcher.ctrl_c()
    _assert_stopped_cleanly(launcher)
