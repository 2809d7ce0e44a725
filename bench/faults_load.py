"""The fault suite's load: callers through the Twilio emulator into the IVR and queue, API tasks
(email, submitted by a supervisor's integration), email over SMTP when a scenario asks (bench/
faults_mail.py), and a CRM that receives every offer's screen
pop from the worker (an RQ job each), so the worker always has jobs in flight.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bench.common import floor, session_cookies
from bench.faults_mail import MAILBOX, Mailed, MailSenders
from bench.ivr import ACCOUNT_SID, AUTH_TOKEN
from bench.scaleout_clients import AgentLogin

NUMBER = "+15005550006"
SUBMIT_PATIENCE_SECONDS = 90.0  # an integration retries a refused submit this long


def build_floor(env: dict[str, str], agents: int) -> dict[str, Any]:
    """One queue anyone may answer and a plan that sends every call there; the agents (each
    registered at the emulator as a softphone that answers and stays); a supervisor's token
    for the integration that submits tasks; a mailbox whose mail goes to that queue."""
    from contactcentre.auth.users import create_user, issue_api_token
    from contactcentre.settings import load_settings
    from contactcentre.store.models import Mailbox
    from tests.builders import add_plan

    load_settings(database_url=env["CC_DATABASE_URL"], redis_url=env["CC_REDIS_URL"])
    with floor(env["CC_DATABASE_URL"], "Faults", agents) as (session, queue, rows):
        add_plan(session, "Everything", queue, filter="true", max_wait_seconds=3600)
        supervisor = create_user(
            session,
            email="integration@faults.example",
            name="Integration",
            password="faults-integration-1",
            role="supervisor",
        )
        # Not acknowledged: the acknowledgement's send is the worker's (tested in
        # tests/integration/email/test_sending.py); here the intake is on trial.
        session.add(Mailbox(address=MAILBOX, queue_id=queue.id, acknowledge=False))
        tokens = [issue_api_token(session, agent.user, "faults") for agent in rows]
        return {
            "queue_id": queue.id,
            "agents": [(a.id, a.user_id) for a in rows],
            "tokens": tokens,
            "integration": issue_api_token(session, supervisor, "faults"),
        }


def agent_logins(env: dict[str, str], built: dict[str, Any]) -> list[AgentLogin]:
    cookies = session_cookies(env, [uid for _aid, uid in built["agents"]])
    return [
        AgentLogin(aid, cookies[i], built["tokens"][i])
        for i, (aid, _uid) in enumerate(built["agents"])
    ]


class CrmSink:
    """The CRM's screen-pop endpoint: records each POST by reservation and answers after
    `delay_seconds` (a slow CRM keeps the worker's jobs running long enough to be killed)."""

    def __init__(self, delay_seconds: float = 0.0) -> None:
        from contactcentre.telephony.emulator import ServerThread

        self.delay_seconds = delay_seconds
        self.received: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()
        self.in_flight = 0  # requests being answered now (a worker job waiting on us)
        self._started: dict[int, float] = {}  # request -> when it arrived, while in flight
        self.server = ServerThread(self._wsgi).start()
        self.url = self.server.url + "/pops"

    def _wsgi(self, environ: dict[str, Any], start: Any) -> list[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size) if size else b""
        arrived = time.time()
        try:
            reservation = str(json.loads(body).get("reservation_id"))
        except ValueError:
            reservation = "unreadable"
        with self.lock:
            self.in_flight += 1
            self._started[id(environ)] = arrived
        try:
            time.sleep(self.delay_seconds)
        finally:
            with self.lock:
                self.in_flight -= 1
                self._started.pop(id(environ), None)
                self.received[reservation].append(arrived)
        start("204 No Content", [])
        return []

    def oldest_in_flight(self, at_least: float) -> bool:
        """Whether some request has been waiting for its answer `at_least` seconds."""
        with self.lock:
            return any(time.time() - t >= at_least for t in self._started.values())

    def first_after(self, moment: float) -> float | None:
        with self.lock:
            times = [t for ts in self.received.values() for t in ts if t > moment]
        return min(times, default=None)

    def stop(self) -> None:
        self.server.stop()


def caller_script(rng: random.Random) -> Any:
    """Picks English, then support, and waits however long it takes."""
    from contactcentre.telephony.emulator import CallerScript

    del rng
    return (
        CallerScript()
        .wait_for_prompt("For English")
        .press("1")
        .wait_for_prompt("For billing")
        .press("2")
    )


def start_emulator(agent_ids: list[int], time_scale: float) -> Any:
    """The carrier in this process (so the suite can see every call and slow its REST API);
    every agent's softphone answers after a second and stays until the app hangs it up."""
    from contactcentre.telephony.emulator import AgentScript, Emulator

    emulator = Emulator(ACCOUNT_SID, AUTH_TOKEN, time_scale=time_scale).start()
    for agent_id in agent_ids:
        emulator.register_party(
            f"client:agent_{agent_id}", lambda: AgentScript(answer_after=1, talk_seconds=None)
        )
    return emulator


def point_number(emulator: Any, base: str) -> None:
    emulator.configure_number(
        NUMBER, base + "/twilio/voice", status_callback=base + "/twilio/status"
    )


@dataclass
class Submitted:
    """What the load put in: calls by CallSid (placed when), tasks by external id (first
    tried when, answered with what)."""

    calls: dict[str, float] = field(default_factory=dict)
    tasks: dict[str, float] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # external id -> why it never got in
    answers: dict[str, int] = field(default_factory=dict)
    mailed: Mailed = field(default_factory=Mailed)  # messages over SMTP, by message key
    lock: threading.Lock = field(default_factory=threading.Lock)


class Load:
    """Open-loop arrivals on a thread: a call every 60/calls_per_minute s and a task every
    1/tasks_per_second s (evenly spaced; arrivals do not wait for the platform)."""

    def __init__(
        self,
        scenario: str,
        base: str,
        emulator: Any,
        integration_token: str,
        *,
        calls_per_minute: float,
        tasks_per_second: float,
        seed: int = 1,
        emails_per_second: float = 0.0,
        smtp_port: int = 0,
    ) -> None:
        import requests

        self.scenario = scenario
        self.base = base
        self.emulator = emulator
        self.token = integration_token
        self.calls_per_minute = calls_per_minute
        self.tasks_per_second = tasks_per_second
        self.rng = random.Random(seed)
        self.submitted = Submitted()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="load", daemon=True)
        self.pool = ThreadPoolExecutor(8, thread_name_prefix="submit")
        self.local = threading.local()
        self._requests = requests
        self.numbers = itertools.count(1)
        self.mail = (
            MailSenders(scenario, smtp_port, emails_per_second, self.submitted.mailed)
            if emails_per_second > 0
            else None
        )

    def start(self) -> Load:
        self.thread.start()
        if self.mail is not None:
            self.mail.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(10)
        if self.mail is not None:
            self.mail.stop()
        self.pool.shutdown(wait=True)

    def _run(self) -> None:
        start = time.monotonic()
        call_gap = 60.0 / self.calls_per_minute if self.calls_per_minute > 0 else None
        task_gap = 1.0 / self.tasks_per_second if self.tasks_per_second > 0 else None
        next_call = start + (call_gap or 0) / 2
        next_task = start
        while not self.stop_event.is_set():
            now = time.monotonic()
            if call_gap is not None and now >= next_call:
                self.place_call()
                next_call += call_gap
            if task_gap is not None and now >= next_task:
                self.pool.submit(self.submit_task, f"{self.scenario}-{next(self.numbers)}")
                next_task += task_gap
            waits = [t for t in (next_call if call_gap else None, next_task if task_gap else None)]
            due = min((t for t in waits if t is not None), default=now + 0.5)
            self.stop_event.wait(max(0.0, min(0.5, due - time.monotonic())))

    def place_call(self) -> str:
        caller = f"+1415555{self.rng.randint(0, 9999):04d}"
        call = self.emulator.place_call(caller, NUMBER, caller_script(self.rng))
        with self.submitted.lock:
            self.submitted.calls[call.sid] = time.time()
        return str(call.sid)

    def submit_task(self, external_id: str) -> None:
        """POST /api/v1/tasks until it gets an answer: 201, or 409 when an earlier try that
        we never heard back from made it (the first task stands)."""
        session = getattr(self.local, "session", None) or self._requests.Session()
        self.local.session = session
        first = time.time()
        with self.submitted.lock:
            self.submitted.tasks[external_id] = first
        body = {"channel": "email", "external_id": external_id, "attributes": {"load": "faults"}}
        headers = {"Authorization": f"Bearer {self.token}"}
        pause = 0.25
        why = "never answered"
        while time.time() - first < SUBMIT_PATIENCE_SECONDS:
            try:
                response = session.post(
                    self.base + "/api/v1/tasks", json=body, headers=headers, timeout=10
                )
            except self._requests.RequestException as exc:
                why = type(exc).__name__
            else:
                if response.status_code in (201, 409):
                    with self.submitted.lock:
                        self.submitted.answers[external_id] = response.status_code
                    return
                why = f"HTTP {response.status_code}"
                if response.status_code < 500:
                    break
            time.sleep(pause)
            pause = min(2.0, pause * 2)
        with self.submitted.lock:
            self.submitted.refused[external_id] = why
