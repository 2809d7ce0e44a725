"""The faults themselves, one function each: it waits for its moment, injects the fault, brings
the part back as a process manager would, and returns when it struck (`fault_at`) with what it
saw. bench/faults.py and tests/integration/test_faults.py run them through `Run.scenario`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from bench.faults_run import Run, client_pid

# The agent-leg request's answer is held this long: the router that asked is killed meanwhile.
HELD_ANSWER_SECONDS = 5.0
WAIT_FOR_MOMENT_SECONDS = 60.0
SLOW_CRM_SECONDS = 3.0  # while the worker scenario waits for a job to kill


def _restart_after_outage(run: Run, name: str, *, wait: bool = True) -> None:
    """Start the killed part again after the outage, as a process manager would; `wait=False`
    leaves that to a timer, so the scenario goes on meanwhile."""
    assert run.platform is not None
    platform = run.platform
    if wait:
        time.sleep(run.sizes.outage_seconds)
        platform.restart(name)
    else:
        threading.Timer(run.sizes.outage_seconds, platform.restart, args=(name,)).start()


def _takeover(run: Run, before: str | None, timeout: float = 60.0) -> float:
    """Seconds until the leader lock is held by a token other than `before`."""
    assert run.platform is not None
    started = time.time()
    while time.time() - started < timeout:
        token = run.platform.leader_token()
        if token and token != before:
            run.platform.leader()  # learn whose it is while only the survivor can hold it
            return time.time() - started
        time.sleep(0.05)
    raise RuntimeError(f"no router took the lead within {timeout:g} s of the kill")


def kill_leader_router(run: Run) -> dict[str, Any]:
    """kill -9 of the router holding the leader lock; the hot standby takes over; the killed
    one is started again and stands by."""
    assert run.platform is not None
    leader = run.platform.leader()
    before = run.platform.leader_token()
    fault_at = time.time()
    run.platform.kill(leader)
    takeover = _takeover(run, before)
    _restart_after_outage(run, leader, wait=False)  # a standby again, while the load goes on
    return {"fault_at": fault_at, "killed": leader, "takeover_s": round(takeover, 2)}


def kill_router_mid_delivery(run: Run) -> dict[str, Any]:
    """kill -9 of the router whose agent-leg request the carrier has acted on and not yet
    answered: it never learns the leg's CallSid."""
    assert run.platform is not None
    held: queue.Queue[Any] = queue.Queue()
    delay = run.emulator.delay_rest(
        "POST", "/Participants.json", HELD_ANSWER_SECONDS, on_hold=held.put
    )
    try:
        request = held.get(timeout=WAIT_FOR_MOMENT_SECONDS)
        routers = {
            part.process.pid: name
            for name, part in run.platform.parts.items()
            if name.startswith("router") and part.alive and part.process is not None
        }
        owner = client_pid(request.client_port, list(routers))
        if owner is None:
            raise RuntimeError(f"no router holds the connection from port {request.client_port}")
        victim = routers[owner]
        before = run.platform.leader_token()
        led = run.platform.leader() == victim
        fault_at = time.time()
        run.platform.kill(victim)
    finally:
        run.emulator.undelay_rest(delay)
    takeover = _takeover(run, before) if led else None
    _restart_after_outage(run, victim)
    return {
        "fault_at": fault_at,
        "killed": victim,
        "was_leader": led,
        "takeover_s": None if takeover is None else round(takeover, 2),
        "request": request.path,
    }


def kill_worker_mid_job(run: Run) -> dict[str, Any]:
    """kill -9 of the RQ worker while a screen-pop job waits on the CRM; started again."""
    assert run.platform is not None and run.crm is not None
    crm = run.crm
    usual, crm.delay_seconds = crm.delay_seconds, SLOW_CRM_SECONDS
    try:
        # A job that has been waiting on the CRM a moment: the kill lands inside it.
        _wait_until(lambda: crm.oldest_in_flight(0.5), "a screen-pop job waiting on the CRM")
        fault_at = time.time()
        run.platform.kill("worker")
    finally:
        crm.delay_seconds = usual
    _restart_after_outage(run, "worker")
    restarted = time.time()
    # The worker is on no offer's path: its recovery is the first job it runs after the kill.
    first = float(_wait_until(lambda: crm.first_after(restarted), "a job after the restart"))
    return {"fault_at": fault_at, "killed": "worker", "recovery_s": first - fault_at}


def kill_web(run: Run) -> dict[str, Any]:
    """kill -9 of the web process (gunicorn's arbiter and worker) the moment the carrier makes
    an agent leg: the leg's conference callbacks arrive while no web process listens."""
    assert run.platform is not None
    held: queue.Queue[Any] = queue.Queue()
    delay = run.emulator.delay_rest("POST", "/Participants.json", 0.0, on_hold=held.put)
    try:
        held.get(timeout=WAIT_FOR_MOMENT_SECONDS)
        fault_at = time.time()
        run.platform.kill("web")
    finally:
        run.emulator.undelay_rest(delay)
    _restart_after_outage(run, "web")
    run.platform.wait_ready()
    return {"fault_at": fault_at, "killed": "web", "back_s": round(time.time() - fault_at, 2)}


def restart_redis(run: Run) -> dict[str, Any]:
    """Valkey stopped (its append-only file flushed) and started again on its port."""
    if run.valkey is None:
        raise Skip("Redis is the one given (TEST_REDIS_URL): a test must not restart it")
    run.valkey.stop()
    fault_at = time.time()  # down now (its stop waits for the append-only file's flush)
    time.sleep(run.sizes.outage_seconds)
    run.valkey.start()
    return {"fault_at": fault_at, "restarted": "redis"}


def restart_postgres(run: Run) -> dict[str, Any]:
    """The private PostgreSQL cluster stopped in immediate mode (a crash to its clients) and
    started again (WAL recovery)."""
    if run.postgres is None:
        raise Skip("the run's database is not a private PostgreSQL cluster")
    run.postgres.stop("immediate")
    fault_at = time.time()
    time.sleep(run.sizes.outage_seconds)
    run.postgres.start()
    return {"fault_at": fault_at, "restarted": "postgresql"}


def drop_websockets(run: Run, drops: int = 3) -> dict[str, Any]:
    """Cut the TCP connection of consoles with an offer ringing (agents look at a pop for a
    moment before they accept), and of one on a call; each reconnects and resumes."""
    assert run.floor is not None
    consoles = run.floor.consoles
    for console in consoles:
        console.accept_delay = 1.5
    cut: list[Any] = []
    try:
        for n in range(drops + 1):
            on_call = n == drops
            console = _wait_until(
                lambda on_call=on_call: next(
                    (
                        c
                        for c in consoles
                        if c not in cut
                        and c.online.is_set()
                        and (c.calls if on_call else c.ringing)
                    ),
                    None,
                ),
                "a console on a call" if on_call else "a console with an offer ringing",
            )
            if run.floor.call_soon(console.abort_connection):
                cut.append(console)
    finally:
        for console in consoles:
            console.accept_delay = 0.0
    fault_at = min(c.drops[-1] for c in cut)
    _wait_until(lambda: all(len(c.resumed_at) >= len(c.drops) for c in cut), "every console back")
    back = [c.resumed_at[-1] - c.drops[-1] for c in cut]
    missing = sum(
        c.restored["offer missing"]
        + c.restored["call state missing"]
        + c.restored["desk unavailable"]
        for c in cut
    )
    return {
        "fault_at": fault_at,
        "dropped": len(cut),
        "recovery_s": max(back),
        "restore_missing": missing,
    }


def kill_mail_mid_data(run: Run) -> dict[str, Any]:
    """kill -9 of the mail process while a sender's DATA is half on the wire (held there a
    moment), started again after the outage; the senders resend what got no 250."""
    assert run.platform is not None and run.load is not None and run.load.mail is not None
    senders = run.load.mail
    held = senders.hold_next_data()
    try:
        in_flight = held.get(timeout=WAIT_FOR_MOMENT_SECONDS)
        fault_at = time.time()
        run.platform.kill("mail")
    finally:
        senders.release()  # the rest of its DATA meets a dead connection: resent later
    _restart_after_outage(run, "mail")
    restarted = time.time()
    mailed = senders.mailed
    # Intake's recovery: the first message answered 250 by the restarted process.
    first = float(_wait_until(lambda: mailed.first_ack_after(restarted), "a 250 after the restart"))
    return {
        "fault_at": fault_at,
        "killed": "mail",
        "in_flight": in_flight,
        "recovery_s": first - fault_at,
    }


class Skip(Exception):
    """The scenario cannot run here; the message says why."""


def _wait_until(
    found: Callable[[], Any], what: str, timeout: float = WAIT_FOR_MOMENT_SECONDS
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError(f"waited {timeout:g} s for {what}")


class Scenario(NamedTuple):
    inject: Callable[[Run], dict[str, Any]]
    before_load: bool = False  # the fault strikes on an idle platform, before the load starts
    email: bool = False  # the load delivers email over SMTP as well


SCENARIOS: dict[str, Scenario] = {
    "router-idle": Scenario(kill_leader_router, before_load=True),
    "router-load": Scenario(kill_leader_router),
    "router-mid-delivery": Scenario(kill_router_mid_delivery),
    "worker": Scenario(kill_worker_mid_job),
    "web": Scenario(kill_web),
    "redis": Scenario(restart_redis),
    "postgres": Scenario(restart_postgres),
    "websocket": Scenario(drop_websockets),
    "mail": Scenario(kill_mail_mid_data, email=True),
}
# Named in issue 17 and not built yet: reported as such, never faked.
NOT_BUILT = {
    "dialer": "no dialer process exists yet (Procfile has web, worker, router, mail)",
}
