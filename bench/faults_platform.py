"""The fault suite's platform: the Procfile's processes (web, two routers, worker, mail) started
one by one, each in a process group of its own so it can be killed alone, on a Redis and a
database the suite may restart (a private Valkey, a private PostgreSQL cluster) or ones it is
given.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Protocol

from bench.common import free_port, wait_for_web
from bench.ivr import ACCOUNT_SID, AUTH_TOKEN, OPEN_HOURS, web_command
from bench.scaleout_parts import Part
from contactcentre.processes.backoff import RestartBackoff

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 120.0  # a loaded 2-core machine takes a while to import the app four times


class Restartable(Protocol):
    url: str

    def stop(self) -> None: ...

    def start(self) -> None: ...


class PrivateValkey:
    """The embedded Valkey with its append-only file, on a port of its own, so it can be stopped
    and started again with its data (a Redis restart)."""

    def __init__(self, work: Path) -> None:
        from contactcentre.platform.embedded_valkey import EmbeddedValkey

        self._server = EmbeddedValkey(work / "valkey", persistent=True)
        self.url = self._server.url

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()


def postgres_binaries() -> Path | None:
    """Debian's PostgreSQL server binaries (the newest installed), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts[-3])
    return found[-1].parent if found else None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on a free loopback port: the machine's shared server must
    never be restarted by a test. Run as the `postgres` user when we are root (initdb refuses
    root)."""

    def __init__(self) -> None:
        import tempfile

        binaries = postgres_binaries()
        if binaries is None:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.bin = binaries
        # A directory of its own: the run's is private to us, and the server's user must own
        # every directory it writes.
        self.home = Path(tempfile.mkdtemp(prefix="faults-postgres-"))
        self.data = self.home / "data"
        self.sockets = self.home / "sockets"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/faults"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        done = subprocess.run(
            [*self._as_user, *command], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")

    def create(self) -> None:
        for folder in (self.data, self.sockets):
            folder.mkdir(parents=True)
            if self._as_user:
                shutil.chown(folder, "postgres", "postgres")
        if self._as_user:
            shutil.chown(self.home, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.start()
        self._run(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "faults",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=300"
        )
        log = self.home / "postgres.log"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", options,
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as far as the clients can tell: no goodbye, WAL recovery
        at the next start."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop("fast")
        shutil.rmtree(self.home, ignore_errors=True)


def environment(
    work: Path, *, database_url: str, redis_url: str, emulator_url: str, crm_url: str
) -> dict[str, str]:
    """What every process of the platform runs with: one secret key, the emulator as Twilio,
    the CRM webhook (a worker job per offer), quick heartbeats."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    passed = {k: v for k, v in os.environ.items() if not k.startswith(("CC_", "TEST_", "BENCH_"))}
    return {
        **passed,
        "PORT": str(port),
        "CC_WEB_HOST": "127.0.0.1",
        "CC_WEB_THREADS": "64",
        "CC_DATABASE_URL": database_url,
        "CC_REDIS_URL": redis_url,
        "CC_SECRET_KEY": "faults-secret-key",
        "CC_INSTANCE_PATH": str(work / "instance"),
        "CC_PUBLIC_BASE_URL": base,
        "CC_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "CC_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CC_TWILIO_API_BASE_URL": emulator_url,
        "CC_IVR_FIXED_TIME": OPEN_HOURS,
        "CC_VOICE_ANNOUNCE_SECONDS": "5",
        "CC_CTI_WEBHOOK_URL": crm_url,
        "CC_HEARTBEAT_SECONDS": "1",
        "CC_LOG_LEVEL": "WARNING",
        # Redis pub/sub channels span every database of a server: ours alone.
        "CC_SOCKETIO_CHANNEL": f"cc-faults-{os.getpid()}-{port}",
        "CC_LOGIN_RATE_LIMIT": "10000 per minute",
        # The mail process's SMTP listener, on a loopback port of its own; its processor looks
        # for stored mail this often when nothing wakes it.
        "CC_EMAIL_SMTP_PORT": str(free_port()),
        "CC_EMAIL_POLL_SECONDS": "0.5",
        "PYTHONPATH": str(ROOT),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def descendants(pid: int) -> list[int]:
    """`pid`'s children, their children and so on (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Platform:
    """web, router1 (the leader), router2 (its hot standby), worker and mail, started and
    killed one at a time; logs under the run's directory."""

    def __init__(self, env: dict[str, str], work: Path) -> None:
        self.env = env
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.base = env["CC_PUBLIC_BASE_URL"]
        python = sys.executable
        self.commands = {
            "web": web_command(int(env["PORT"])),
            "router1": [python, "-m", "contactcentre", "router"],
            "router2": [python, "-m", "contactcentre", "router"],
            "worker": [python, "-m", "contactcentre", "worker"],
            "mail": [python, "-m", "contactcentre", "mail"],
        }
        self.parts: dict[str, Part] = {}
        self.tokens: dict[str, str] = {}  # leader lock token -> router
        self.restarts = 0
        # A part that exits by itself is restarted as the launcher's supervisor does (its
        # backoff policy); each such exit is a crash worth reporting.
        self.crashes: list[tuple[str, int | None, float]] = []
        self._down_on_purpose: set[str] = set()
        self._started_at: dict[str, float] = {}
        self._backoff: dict[str, RestartBackoff] = {}
        self._restart_at: dict[str, float] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="supervisor", daemon=True)

    def start(self) -> None:
        """The first router first, so it leads; the rest together; back once the web answers,
        a router leads, and the worker and the mail process beat."""
        self.start_part("router1")
        self.wait_for_leader()
        self.tokens[self.leader_token() or ""] = "router1"
        for name in ("router2", "worker", "mail", "web"):
            self.start_part(name)
        self.wait_ready()
        self.wait_for_beat("mail")
        self._watcher.start()

    def start_part(self, name: str) -> None:
        with self._lock:
            self.parts[name] = Part(name, self.commands[name], self.env, self.logs).start()
            self._started_at[name] = time.monotonic()
            self._down_on_purpose.discard(name)
            self._restart_at.pop(name, None)

    def _watch(self) -> None:
        while not self._stopping.wait(0.2):
            with self._lock:
                for name, part in self.parts.items():
                    if name in self._down_on_purpose or name in self._restart_at or part.alive:
                        continue
                    code = part.process.returncode if part.process is not None else None
                    self.crashes.append((name, code, time.time()))
                    ran = time.monotonic() - self._started_at.get(name, 0.0)
                    delay = self._backoff.setdefault(name, RestartBackoff()).delay(ran)
                    self._restart_at[name] = time.monotonic() + delay
                for name, when in list(self._restart_at.items()):
                    if time.monotonic() >= when:
                        self.start_part(name)

    def kill(self, name: str) -> None:
        """SIGKILL to the part and every process it started, in its group or not (an RQ work
        horse leaves the worker's group with setsid): a machine or container dying."""
        with self._lock:
            self._down_on_purpose.add(name)
            part = self.parts[name]
        assert part.process is not None
        # Found first (a child of a dead parent is adopted by init), killed after the parent:
        # a work horse dying first would let its worker record the failure, which no crash
        # of a whole machine allows.
        children = descendants(part.process.pid)
        part.kill()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def restart(self, name: str) -> None:
        self.start_part(name)
        self.restarts += 1

    def wait_ready(self, timeout: float = START_SECONDS) -> None:
        process = self.parts["web"].process
        assert process is not None
        wait_for_web(self.base, process, timeout)
        self.wait_for_leader(timeout)
        self.wait_for_beat("worker", timeout)

    def wait_for_leader(self, timeout: float = START_SECONDS) -> None:
        from contactcentre.router.streams import LEADER

        self._wait(lambda client: bool(client.get(LEADER)), timeout, "no router took the lead")

    def wait_for_beat(self, process: str, timeout: float = START_SECONDS) -> None:
        from contactcentre.platform import heartbeat

        self._wait(
            lambda client: bool(heartbeat.alive(client, process)), timeout, f"no {process} beats"
        )

    def _wait(self, ready: object, timeout: float, why: str) -> None:
        import redis

        client = redis.Redis.from_url(self.env["CC_REDIS_URL"], decode_responses=True)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                # Once supervised, a dead part is restarted rather than the wait given up.
                dead = [p.name for p in self.parts.values() if not p.alive]
                if dead and not self._watcher.is_alive():
                    tails = {n: self.parts[n].tail() for n in dead}
                    raise RuntimeError(f"{', '.join(dead)} exited: {tails}")
                try:
                    if ready(client):  # type: ignore[operator]
                        return
                except redis.RedisError:
                    pass
                time.sleep(0.1)
        finally:
            client.close()
        raise RuntimeError(f"{why} within {timeout:g} s")

    def leader_token(self) -> str | None:
        import redis

        from contactcentre.router.streams import LEADER

        client = redis.Redis.from_url(self.env["CC_REDIS_URL"], decode_responses=True)
        try:
            token: str | None = client.get(LEADER)  # type: ignore[assignment]
            return token
        finally:
            client.close()

    def leader(self) -> str:
        """Which router leads: the lock's token is a random one per router, learnt when each
        took the lead (the first alone; later, the only other router alive)."""
        token = self.leader_token()
        if token not in self.tokens:
            alive = [n for n in ("router1", "router2") if self.parts[n].alive]
            if len(alive) != 1 and self.tokens:
                # Both alive and the lock changed hands without a kill: the one not named yet.
                known = set(self.tokens.values())
                alive = [n for n in alive if n not in known] or alive
            self.tokens[token or ""] = alive[0]
        return self.tokens[token or ""]

    def tracebacks(self) -> dict[str, int]:
        found = {}
        for path in sorted(self.logs.glob("*.log")):
            count = path.read_text(errors="replace").count("Traceback")
            if count:
                found[path.stem] = count
        return found

    def stop(self) -> None:
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join(5)
        parts = list(self.parts.values())
        for part in parts:
            part.terminate()
        for part in parts:
            part.stop()
