"""`make run`: one command that brings the platform up on a fresh machine and down on Ctrl-C.

Starts the embedded Valkey (unless REDIS_URL is set), migrates, seeds demo data on first run,
then runs every Procfile process (two routers: a leader and its hot standby) and, unless
CC_DEMO_PROCESSES=false, the Procfile.demo ones (the telephony emulator with demo traffic),
each in its own process group, restarting any that dies (processes/supervisor.py); Ctrl-C leaves
nothing behind.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from contactcentre.platform.runtime import EMBEDDED_URL_FILE
from contactcentre.processes.supervisor import Supervisor
from contactcentre.settings import PROJECT_ROOT, Settings

# How many of a Procfile process run side by side: the router's leader lock lets one route and
# keeps the other as a hot standby that takes over within about 1.5 s (router/leader.py).
INSTANCES = {"router": 2}
UP_WAIT_SECONDS = 60.0
# The demo IVR keeps office hours (Eastern time); demo calls placed at night would all go to
# voicemail. A Wednesday mid-morning that is no holiday keeps the demo routing to agents.
DEMO_IVR_TIME = "2026-11-25T11:00:00-05:00"


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
    entries = []
    for name, command in procfile_entries(PROJECT_ROOT / "Procfile"):
        count = INSTANCES.get(name, 1)
        names = [f"{name}.{n}" for n in range(1, count + 1)] if count > 1 else [name]
        entries += [(instance, command) for instance in names]
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
    supervisor = Supervisor(env, PROJECT_ROOT, _say)
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
            supervisor.start(name, command)
        _supervise(settings, supervisor, stopping, DEMO_PASSWORD)
        return 0
    finally:
        _say("stopping…")
        supervisor.stop()
        if valkey is not None:
            valkey.stop()
            (settings.instance_path / EMBEDDED_URL_FILE).unlink(missing_ok=True)
        _say("stopped; no process left behind")


def _supervise(
    settings: Settings, supervisor: Supervisor, stopping: threading.Event, password: str
) -> None:
    """Restart what dies until Ctrl-C; show the banner once the web answers."""
    url = f"http://{settings.web_host}:{os.environ.get('PORT', settings.web_port)}/healthz"
    started = time.monotonic()
    waiting_for_web = True
    while not stopping.is_set():
        supervisor.tick()
        if waiting_for_web:
            status = _health_status(url)
            waited = time.monotonic() - started
            # 503 early on is a process still starting; later the banner says where to look.
            if status == 200 or (status == 503 and waited > UP_WAIT_SECONDS / 4):
                _banner(settings, password)
                waiting_for_web = False
            elif waited > UP_WAIT_SECONDS:
                _say(f"the web process does not answer {url} yet; see its output above")
                waiting_for_web = False
        stopping.wait(0.5)


def _health_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our http:// URL
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


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
