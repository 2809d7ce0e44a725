"""`make run`'s launcher: brings everything up from nothing and leaves no process on Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from contactcentre.platform.embedded_valkey import free_loopback_port
from contactcentre.settings import PROJECT_ROOT


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_up_serves_health_and_ctrl_c_leaves_nothing(tmp_path: Path) -> None:
    """From an empty instance dir: Valkey, migrations, demo data, web and worker come up;
    /healthz is green; SIGINT stops every process group."""
    port = free_loopback_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CC_", "TEST_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(
        CC_INSTANCE_PATH=str(tmp_path / "instance"),
        PORT=str(port),
        CC_WEB_PORT=str(port),
        CC_HEARTBEAT_SECONDS="1",
        CC_EMULATOR_PORT=str(free_loopback_port()),  # the demo carrier, on a port of its own
    )
    launcher = subprocess.Popen(
        [sys.executable, "-m", "contactcentre", "up"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group, so SIGINT can go to the group like Ctrl-C
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        assert launcher.stdout is not None
        while time.monotonic() < deadline:
            line = launcher.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Contact centre is up." in line:
                break
        assert any("Contact centre is up." in line for line in lines), "".join(lines)
        health: dict[str, object] = {}
        for _ in range(40):  # the worker's first heartbeat may trail the web process
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    health = json.load(r)
                    break
            except OSError:
                time.sleep(0.5)
        assert health.get("status") == "ok", health
        pids = [int(p) for p in re.findall(r"started \w+ \(pid (\d+)\)", "".join(lines))]
        assert len(pids) >= 2
    finally:
        # A terminal's Ctrl-C signals the whole foreground process group, not one process.
        os.killpg(launcher.pid, signal.SIGINT)
        out, _ = launcher.communicate(timeout=60)
        lines.append(out)
    assert launcher.returncode == 0, "".join(lines)
    output = "".join(lines)
    assert "no process left behind" in output
    shutdown = output[output.index("stopping") :]
    assert "Traceback" not in shutdown, shutdown
    for pid in pids:
        assert not _group_alive(pid), f"process group {pid} still running"
    valkey_port_open = subprocess.run(
        ["python3", "-c", f"import socket; socket.create_connection(('127.0.0.1', {port}), 1)"],
        capture_output=True,
        check=False,
    )
    assert valkey_port_open.returncode != 0, "the web port is still answering"
