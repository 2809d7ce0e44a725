"""`make run`: one command that brings the platform up on a fresh machine and down on Ctrl-C.

Starts the embedded Valkey (unless REDIS_URL is set), migrates, seeds demo data on first run,
then runs every Procfile process (and, unless CC_DEMO_PROCESSES=false, the Procfile.demo ones,
such as the telephony emulator with demo traffic) in its own process group, so Ctrl-C leaves
nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from contactcentre.platform.runtime import EMBEDDED_URL_FILE
from contactcentre.settings import PROJECT_ROOT, Settings

STOP_GRACE_SECONDS = 10.0
# The demo IVR keeps office hours (Eastern time); demo calls placed at night would all go to
# voicemail. A Wednesday mid-morning that is no holiday keeps the demo routing to agents.
DEMO_IVR_TIME = "2026-11-25T11:00:00-05:00"


@dataclass
class Child:
    name: str
    command: str
    process: subprocess.Popen[bytes]


def procfile_entries(path: Path) -> list[tuple[str, str]]:
    entries = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            entries.append((name.strip(), command.strip()))
    return entries


def _demo_enabled() -> bool:
    return (PROJECT_ROOT / "Procfile.demo").exists() and (
        os.environ.get("CC_DEMO_PROCESSES", "true").lower() != "false"
    )


def _launch_list() -> list[tuple[str, str]]:
    entries = procfile_entries(PROJECT_ROOT / "Procfile")
    # Demo-only processes are not production processes: /healthz does not expect them.
    if _demo_enabled():
        entries += procfile_entries(PROJECT_ROOT / "Procfile.demo")
    return entries


def _pin_demo_ivr_clock(env: dict[str, str]) -> str | None:
    """Pin the IVR's clock to office hours for the demo, unless told to keep real hours."""
    if not _demo_enabled() or "CC_IVR_FIXED_TIME" in env:
        return None
    if env.get("CC_DEMO_REAL_HOURS", "false").lower() == "true":
        return None
    env["CC_IVR_FIXED_TIME"] = DEMO_IVR_TIME
    return DEMO_IVR_TIME


def run(settings: Settings) -> int:
    from contactcentre.demo import DEMO_PASSWORD, seed
    from contactcentre.store.db import Database
    from contactcentre.store.migrate import upgrade

    settings.instance_path.mkdir(parents=True, exist_ok=True)
    stopping = threading.Event()
    _install_signal_handlers(stopping)

    valkey = None
    env = dict(os.environ)
    if settings.redis_url is None:
        from contactcentre.platform.embedded_valkey import EmbeddedValkey

        valkey = EmbeddedValkey(settings.instance_path / "valkey")
        url = valkey.start()
        (settings.instance_path / EMBEDDED_URL_FILE).write_text(url)
        env["CC_REDIS_URL"] = url
        _say(f"embedded Valkey on {url} (data in {settings.instance_path / 'valkey'})")
    children: list[Child] = []
    try:
        upgrade(settings.effective_database_url)
        _say(f"database migrated ({settings.effective_database_url.split('://')[0]})")
        database = Database(settings.effective_database_url)
        try:
            summary = seed(database, settings)
        finally:
            database.dispose()
        if summary.get("seeded"):
            _say(f"demo data loaded: {summary}")
        _child_environment(settings, env)
        for name, command in _launch_list():
            children.append(_spawn(name, command, env))
        if _wait_until_up(settings, children, stopping):
            _banner(settings, DEMO_PASSWORD)
        while not stopping.is_set():
            for child in children:
                if child.process.poll() is not None:
                    _say(f"process {child.name} exited with {child.process.returncode}; stopping")
                    stopping.set()
            stopping.wait(0.5)
        return 0
    finally:
        _say("stopping…")
        _stop_children(children)
        if valkey is not None:
            valkey.stop()
            (settings.instance_path / EMBEDDED_URL_FILE).unlink(missing_ok=True)
        _say("stopped; no process left behind")


def _child_environment(settings: Settings, env: dict[str, str]) -> None:
    """What every Procfile process needs beyond our own environment."""
    env.setdefault("PORT", str(settings.web_port))
    env["PYTHONUNBUFFERED"] = "1"
    if not settings.public_base_url_configured:
        # Twilio (or the demo carrier) posts back to absolute URLs built from this; it must
        # name the port we actually serve on.
        env["CC_PUBLIC_BASE_URL"] = f"http://{settings.web_host}:{env['PORT']}"
    pinned = _pin_demo_ivr_clock(env)
    if pinned:
        _say(
            f"demo: the IVR's clock is pinned to {pinned} (office hours); "
            "CC_DEMO_REAL_HOURS=true keeps real hours"
        )
    # Procfile lines say `python`: make that the interpreter (venv) running us.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"


def _install_signal_handlers(stopping: threading.Event) -> None:
    def handler(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def _spawn(name: str, command: str, env: dict[str, str]) -> Child:
    # Own session = own process group: we can signal the whole tree (gunicorn's workers too),
    # and the terminal's Ctrl-C reaches only us, so shutdown happens in our order.
    process = subprocess.Popen(  # noqa: S602 - Procfile lines are shell commands by definition
        command,
        shell=True,
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    threading.Thread(target=_relay, args=(name, process), daemon=True).start()
    _say(f"started {name} (pid {process.pid}): {command}")
    return Child(name, command, process)


def _relay(name: str, process: subprocess.Popen[bytes]) -> None:
    assert process.stdout is not None
    for raw in iter(process.stdout.readline, b""):
        sys.stdout.write(f"{name:>8} | {raw.decode(errors='replace')}")
        sys.stdout.flush()


def _stop_children(children: list[Child]) -> None:
    for child in children:
        if child.process.poll() is None:
            _signal_group(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _say(f"{child.name} did not stop in {STOP_GRACE_SECONDS:.0f} s; killing it")
        # Kill any grandchild that outlived its parent in the same group, then make sure the
        # group is really empty before saying so.
        _signal_group(child.process.pid, signal.SIGKILL)
        child.process.wait()
        _wait_group_gone(child)


def _wait_group_gone(child: Child, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(child.process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    _say(f"warning: processes of {child.name} (group {child.process.pid}) are still exiting")


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def _wait_until_up(settings: Settings, children: list[Child], stopping: threading.Event) -> bool:
    url = f"http://{settings.web_host}:{os.environ.get('PORT', settings.web_port)}/healthz"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not stopping.is_set():
        if any(c.process.poll() is not None for c in children):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code == 503 and time.monotonic() > deadline - 45:
                return True  # up, but some process still starting; the banner says where to look
        except OSError:
            pass
        stopping.wait(0.5)
    return False


def _banner(settings: Settings, password: str) -> None:
    base = f"http://{settings.web_host}:{os.environ.get('PORT', settings.web_port)}"
    lines = [
        "",
        "Contact centre is up.",
        f"  Sign in:      {base}/login   (agents: {base}/console, supervisors: {base}/board)",
        f"  Health:       {base}/healthz",
        f"  API (OpenAPI): {base}/api/v1/openapi.json",
        *(
            [
                f"  Dial pad:     http://127.0.0.1:{settings.emulator_port}/dialpad "
                "(call the IVR; demo calls arrive on their own too)"
            ]
            if _demo_enabled()
            else []
        ),
        "  Demo logins (password for all: " + password + "):",
        "    admin@example.com        administrator",
        "    supervisor@example.com   supervisor",
        "    agent1@example.com … agent12@example.com   agents",
        "Press Ctrl-C to stop everything.",
        "",
    ]
    print("\n".join(lines), flush=True)


def _say(message: str) -> None:
    print(f"{'up':>8} | {message}", flush=True)
