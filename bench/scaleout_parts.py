"""The scale-out bench's real parts: HAProxy before the Procfile's web processes, two routers,
two workers and the Twilio emulator, each a process group of its own so one can die alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.ivr import web_command
from contactcentre.processes.launcher import procfile_entries

ROOT = Path(__file__).resolve().parent.parent
HAPROXY_PACKAGE = "haproxy"  # Debian's package: apt-get install -y haproxy


def server_ports(count: int) -> list[int]:
    """Free loopback ports below the kernel's ephemeral range: a port picked from inside it
    (bind to 0) can be taken by any outgoing connection before the server binds it."""
    import random
    import socket

    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    chosen: list[int] = []
    for _attempt in range(1000):
        port = random.randrange(max(1024, low - 12000), low)
        if port in chosen:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        chosen.append(port)
        if len(chosen) == count:
            return chosen
    raise RuntimeError(f"no {count} free loopback ports below {low}")


def haproxy_config(port: int, web_ports: list[int], maxconn: int) -> str:
    """A balancer for Socket.IO over websockets: the upgraded connection lives by `timeout
    tunnel`; a server leaves the pool when /readyz fails or a connection to it fails, and a
    request it could not take is placed on the other (a request it took and then lost is not
    replayed: only conn-failure is retried). The cookie keeps a long-polling client on one
    process; websocket-only clients, as here, do not need it."""
    servers = "\n".join(
        f"    server web{n} 127.0.0.1:{p} check cookie web{n}"
        for n, p in enumerate(web_ports, start=1)
    )
    return f"""\
global
    maxconn {maxconn}
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    option forwardfor
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout tunnel 1h
    timeout client-fin 5s

frontend contactcentre
    bind 127.0.0.1:{port}
    http-request set-header X-Forwarded-Proto http
    default_backend web

backend web
    balance leastconn
    cookie CCWEB insert indirect nocache httponly
    option httpchk GET /readyz
    http-check expect status 200
    retries 3
    option redispatch 1
    default-server inter 500ms fall 2 rise 2 observe layer4 error-limit 1 on-error mark-down
{servers}
"""


class Part:
    """One started process group; output to a log file under the run's directory."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Part:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: killing it leaves the others alone
            )
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group (gunicorn's arbiter and its worker die at once)."""
        if self.process is not None:
            _signal_group(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to the group, then SIGKILL if it is still there after `timeout`."""
        if self.process is None or self.process.poll() is not None:
            return
        _signal_group(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal_group(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def tail(self, lines: int = 15) -> list[str]:
        try:
            return self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return []


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.killpg(pid, sig)  # the group this bench started (start_new_session), by its id


class Topology:
    """Every part of the run: start them, kill and restart a web process, stop them all."""

    def __init__(self, env: dict[str, str], work: Path, web_ports: list[int]) -> None:
        self.env = env
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.work = work
        self.web_ports = web_ports
        self.webs = [self._web(n) for n in range(len(web_ports))]
        python = sys.executable
        self.routers = [
            Part(f"router{n}", [python, "-m", "contactcentre", "router"], env, self.logs)
            for n in (1, 2)
        ]
        self.workers = [
            Part(f"worker{n}", [python, "-m", "contactcentre", "worker"], env, self.logs)
            for n in (1, 2)
        ]
        self.haproxy: Part | None = None
        self.emulator: Part | None = None
        # What the parts logged before the load began or after it ended is not the run's
        # (the emulator stops first, and a router then fails to reach it): byte spans by log.
        self.log_spans: dict[Path, tuple[int, int]] = {}

    def _web(self, index: int) -> Part:
        port = self.web_ports[index]
        env = {**self.env, "PORT": str(port)}
        return Part(f"web{index + 1}", web_command(port), env, self.logs)

    def start_servers(self, lb_port: int, maxconn: int) -> None:
        """Routers first (the first to start leads, the other stands by), then the rest."""
        self.routers[0].start()
        time.sleep(1.0)
        self.routers[1].start()
        for part in (*self.workers, *self.webs):
            part.start()
        config = self.work / "haproxy.cfg"
        config.write_text(haproxy_config(lb_port, self.web_ports, maxconn))
        haproxy = shutil.which("haproxy") or "haproxy"
        checked = subprocess.run(
            [haproxy, "-c", "-f", str(config)], capture_output=True, text=True, check=False
        )
        if checked.returncode != 0:
            raise RuntimeError(f"haproxy refused its config: {checked.stdout}{checked.stderr}")
        self.haproxy = Part("haproxy", [haproxy, "-db", "-f", str(config)], self.env, self.logs)
        self.haproxy.start()

    def start_emulator(self, seed: int) -> None:
        """Procfile.demo's telephony line (its ${VAR:-default}s expanded by the shell)."""
        line = dict(procfile_entries(ROOT / "Procfile.demo"))["telephony"]
        command = ["bash", "-c", f"exec {line} --seed {seed}"]
        self.emulator = Part("emulator", command, self.env, self.logs).start()

    def mark_load(self, *, ended: bool) -> None:
        """Note where every part's log stands as the load starts or ends."""
        for part in self.parts():
            size = part.log_path.stat().st_size if part.log_path.exists() else 0
            start = self.log_spans.get(part.log_path, (0, 0))[0]
            self.log_spans[part.log_path] = (start, size) if ended else (size, size)

    def logged_during_load(self, part: Part) -> str:
        start, end = self.log_spans.get(part.log_path, (0, 0))
        if not part.log_path.exists() or end <= start:
            return ""
        with part.log_path.open("rb") as log:
            log.seek(start)
            return log.read(end - start).decode(errors="replace")

    def kill_web(self, index: int) -> None:
        self.webs[index].kill()

    def restart_web(self, index: int) -> None:
        self.webs[index] = self._web(index)
        self.webs[index].start()

    def parts(self) -> list[Part]:
        found = [*self.webs, *self.routers, *self.workers]
        return found + [p for p in (self.haproxy, self.emulator) if p is not None]

    def stop(self) -> None:
        """The emulator first (it hangs up live calls), then the rest together, the balancer
        last."""
        if self.emulator is not None:
            self.emulator.stop()
        servers = [*self.webs, *self.workers, *self.routers]
        for part in servers:
            part.terminate()
        for part in servers:
            part.stop()
        if self.haproxy is not None:
            self.haproxy.stop()


def wait_healthy(url: str, timeout: float, parts: list[Part]) -> float:
    """Seconds until GET url/healthz answers 200; fails naming a part that died meanwhile."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        dead = [p for p in parts if not p.alive]
        if dead:
            tails = "\n".join(f"--- {p.name}:\n" + "\n".join(p.tail()) for p in dead)
            raise RuntimeError(f"{', '.join(p.name for p in dead)} exited:\n{tails}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url}/healthz did not answer 200 within {timeout:g} s")
