"""IVR webhook latency: signed Twilio webhooks walking the default IVR, at 50 requests per second.

Starts the web process exactly as the Procfile's `web` line does (gunicorn, gthread) on an
embedded Valkey and SQLite, then plays callers open-loop: incoming call, language menu, main
menu (support, sales or goodbye, so calls end in the queue or in the IVR), then the call's
completed status callback. Each request is signed like Twilio's. Prints p50/p99 (goal: p99
<= 50 ms, zero errors); BENCH_SECONDS shortens the 60 s run. The last line is JSON.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, percentile, scratch, wait_for_web  # noqa: E402
from contactcentre.processes.launcher import procfile_entries  # noqa: E402
from contactcentre.store.migrate import upgrade  # noqa: E402

RATE = 50.0  # requests per second, all webhooks together
DURATION = float(os.environ.get("BENCH_SECONDS", "60"))
WORKERS = 32  # client threads; enough that the open loop never waits for a slow answer
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "b" * 32
NUMBER = "+15005550006"
OPEN_HOURS = "2025-03-04T10:00:00-05:00"  # a Tuesday morning: the flow's business hours


def web_command(port: int) -> list[str]:
    """The Procfile's web line as the launcher runs it: through a shell, so its ${VAR:-default}
    settings expand (run with PORT, CC_WEB_HOST and the venv's python first on PATH)."""
    line = dict(procfile_entries(ROOT / "Procfile"))["web"]
    return ["bash", "-c", f"exec {line}"]


@dataclass
class Caller:
    """One call's next webhook; the IVR's TwiML says where to post next."""

    sid: str
    menu_choice: str
    step: int = 0
    next_url: str = ""
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Load:
    def __init__(self, base: str) -> None:
        self.base = base
        self.validator = RequestValidator(AUTH_TOKEN)
        self.ready: queue.Queue[Caller] = queue.Queue()
        self.results = Results()
        self.random = random.Random(7)
        self.sids = itertools.count()
        self.local = threading.local()

    def new_caller(self) -> Caller:
        n = next(self.sids)
        caller = Caller(f"CA{n:032x}", self.random.choice("239"))
        caller.next_url = self.base + "/twilio/voice"
        caller.params = self._params(caller, "ringing")
        return caller

    def _params(self, caller: Caller, status: str) -> dict[str, str]:
        return {
            "CallSid": caller.sid,
            "AccountSid": ACCOUNT_SID,
            "From": f"+1415555{int(caller.sid[-4:], 16) % 10000:04d}",
            "To": NUMBER,
            "CallStatus": status,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }

    def send(self, caller: Caller) -> None:
        session: requests.Session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        signature = self.validator.compute_signature(caller.next_url, caller.params)
        start = time.perf_counter()
        try:
            response = session.post(
                caller.next_url,
                data=caller.params,
                headers={"X-Twilio-Signature": signature},
                timeout=15,
            )
            elapsed = (time.perf_counter() - start) * 1000
            ok = response.status_code in (200, 204)
            body = response.text
        except requests.RequestException as exc:
            elapsed, ok, body = (time.perf_counter() - start) * 1000, False, str(exc)
        with self.results.lock:
            self.results.latencies.append(elapsed)
            if not ok:
                self.results.errors.append(f"{caller.next_url}: {body[:200]}")
        if ok:
            self._advance(caller, body)

    def _advance(self, caller: Caller, twiml: str) -> None:
        """Answer the Gather the IVR asked, or end the call with its status callback."""
        caller.step += 1
        gather = None
        if twiml.strip().startswith("<?xml") or twiml.startswith("<Response"):
            gather = ElementTree.fromstring(twiml).find("Gather")
        if gather is not None and caller.step <= 2:
            caller.next_url = gather.attrib["action"]
            digits = "1" if caller.step == 1 else caller.menu_choice
            caller.params = {**self._params(caller, "in-progress"), "Digits": digits}
            self.ready.put(caller)
        elif caller.step <= 3:
            caller.next_url = self.base + "/twilio/status"
            caller.params = {**self._params(caller, "completed"), "CallDuration": "30"}
            self.ready.put(caller)

    def next_request(self) -> Caller:
        try:
            return self.ready.get_nowait()
        except queue.Empty:
            return self.new_caller()


def run_load(base: str) -> Results:
    load = Load(base)
    work: queue.Queue[Caller | None] = queue.Queue()

    def worker() -> None:
        while (caller := work.get()) is not None:
            load.send(caller)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    for n in range(int(RATE * DURATION)):
        # Open loop: request n is due at n / RATE whatever happened to the ones before it.
        delay = start + n / RATE - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        work.put(load.next_request())
    for _ in threads:
        work.put(None)
    for thread in threads:
        thread.join(30)
    return load.results


def main() -> None:
    with scratch("ivr") as (work, redis_url):
        run(work, redis_url)


def run(work: Path, redis_url: str) -> None:
    db_url = f"sqlite:///{work / 'db.sqlite3'}"
    upgrade(db_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CC_DATABASE_URL": db_url,
        "CC_REDIS_URL": redis_url,
        "CC_INSTANCE_PATH": str(work / "instance"),
        "CC_PUBLIC_BASE_URL": base,
        "CC_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "CC_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "CC_IVR_FIXED_TIME": OPEN_HOURS,
        "CC_LOG_LEVEL": "WARNING",
        "CC_PROCESSES": "web",
        "PORT": str(port),
        "CC_WEB_HOST": "127.0.0.1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    web = subprocess.Popen(web_command(port), cwd=ROOT, env=env)
    try:
        wait_for_web(base, web)
        results = run_load(base)
    finally:
        web.terminate()
        web.wait(15)
    lat = results.latencies
    p50, p99 = percentile(lat, 50), percentile(lat, 99)
    print(f"web: {web_command(port)[-1]}")
    print(f"requests {len(lat)} at {RATE:g}/s for {DURATION:g} s, errors {len(results.errors)}")
    for error in results.errors[:5]:
        print(f"  error: {error}")
    print(f"IVR webhook latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(lat):.1f} ms")
    print(
        json.dumps(
            {
                "bench": "ivr",
                "rate_per_second": RATE,
                "seconds": DURATION,
                "requests": len(lat),
                "errors": len(results.errors),
                "p50_ms": round(p50, 2),
                "p99_ms": round(p99, 2),
                "max_ms": round(max(lat), 2),
                "mean_ms": round(statistics.fmean(lat), 2),
                "goal_p99_ms": 50,
                "python": platform.python_version(),
                "database": "sqlite",
            }
        )
    )


if __name__ == "__main__":
    main()
