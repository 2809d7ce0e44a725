"""One fault-suite run: the platform, the carrier, the CRM and the agents' consoles brought up
together, then scenarios played on them: load, a fault, more load, a drain, the audit.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import sign_in_agents
from bench.faults_agents import Floor
from bench.faults_audit import audit, mail_intake, read_outbox, rq_backlog, task_set
from bench.faults_load import (
    CrmSink,
    Load,
    agent_logins,
    build_floor,
    point_number,
    start_emulator,
)
from bench.faults_platform import Platform, PrivatePostgres, PrivateValkey, environment


@dataclass(frozen=True)
class Sizes:
    """How big each scenario is (bench/faults.py's docstring names the variables)."""

    seconds: float = 30.0  # load per scenario; the fault comes a third of the way in
    agents: int = 8
    calls_per_minute: float = 30.0
    tasks_per_second: float = 2.0
    emails_per_second: float = 1.0  # over SMTP, in the scenarios that ask for email
    talk_seconds: float = 2.0  # before an agent ends a call or completes a task
    time_scale: float = 4.0  # emulated seconds per second (IVR prompts, ringing)
    outage_seconds: float = 2.0  # a killed process is started again this long after
    drain_seconds: float = 90.0  # at most, for what is in progress to finish
    crm_delay_seconds: float = 0.3  # each screen-pop job waits this long for the CRM
    reconcile_seconds: float = 20.0  # CC_VOICE_RECONCILE_SECONDS: calls without news asked about


class Run:
    """Everything one set of scenarios shares. The database is SQLite in the run's directory
    unless `database_url` is given or `postgres` asks for a private cluster; Redis is a private
    Valkey unless `redis_url` is given (then it cannot be restarted)."""

    def __init__(
        self,
        work: Path,
        sizes: Sizes,
        *,
        database_url: str | None = None,
        redis_url: str | None = None,
        postgres: bool = False,
    ) -> None:
        self.work = work
        self.sizes = sizes
        self._database_url = database_url
        self._redis_url = redis_url
        self._postgres = postgres
        self.valkey: PrivateValkey | None = None
        self.postgres: PrivatePostgres | None = None
        self.emulator: Any = None
        self.crm: CrmSink | None = None
        self.platform: Platform | None = None
        self.floor: Floor | None = None
        self.redis: Any = None
        self.load: Load | None = None  # the scenario's, while it runs
        self._stack = contextlib.ExitStack()

    # -- bring-up -------------------------------------------------------------------------------
    def __enter__(self) -> Run:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stack.close()

    def _start(self) -> None:
        import redis

        stack = self._stack
        self.work.mkdir(parents=True, exist_ok=True)
        redis_url = self._redis_url
        if redis_url is None:
            self.valkey = PrivateValkey(self.work)
            self.valkey.start()
            stack.callback(self.valkey.stop)
            redis_url = self.valkey.url
        else:
            redis.Redis.from_url(redis_url).flushdb()
        database_url = self._database_url or f"sqlite:///{self.work / 'faults.sqlite3'}"
        if self._postgres:
            self.postgres = PrivatePostgres()
            self.postgres.create()
            stack.callback(self.postgres.destroy)
            database_url = self.postgres.url
        self.crm = CrmSink(self.sizes.crm_delay_seconds)
        stack.callback(self.crm.stop)
        self.emulator = start_emulator([], self.sizes.time_scale)
        stack.callback(self.emulator.stop)
        env = environment(
            self.work,
            database_url=database_url,
            redis_url=redis_url,
            emulator_url=self.emulator.base_url,
            crm_url=self.crm.url,
        )
        env["CC_VOICE_RECONCILE_SECONDS"] = f"{self.sizes.reconcile_seconds:g}"
        self.env = env
        self.built = build_floor(env, self.sizes.agents)
        agent_ids = [aid for aid, _uid in self.built["agents"]]
        from contactcentre.telephony.emulator import AgentScript

        for agent_id in agent_ids:
            self.emulator.register_party(
                f"client:agent_{agent_id}", lambda: AgentScript(answer_after=1)
            )
        point_number(self.emulator, env["CC_PUBLIC_BASE_URL"])
        self.platform = Platform(env, self.work)
        stack.callback(self.platform.stop)
        self.platform.start()
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        stack.callback(self.redis.close)
        self.floor = Floor(
            env["CC_PUBLIC_BASE_URL"], agent_logins(env, self.built), self.sizes.talk_seconds
        )
        stack.callback(self.floor.close)
        sign_in_agents(env, agent_ids)
        self.floor.wait_all_online()

    @property
    def database_url(self) -> str:
        return self.env["CC_DATABASE_URL"]

    @property
    def redis_url(self) -> str:
        return self.env["CC_REDIS_URL"]

    # -- a scenario -----------------------------------------------------------------------------
    def scenario(
        self,
        name: str,
        inject: Callable[[Run], dict[str, Any]],
        *,
        before_load: bool = False,
        email: bool = False,
    ) -> dict[str, Any]:
        """Load for `sizes.seconds`, `inject` a third of the way in (or, `before_load`, on an
        idle platform just before the load starts); it returns the fault's time as `fault_at`
        and what it saw. Then drain and audit. `email` adds mail over SMTP to the load."""
        assert self.platform is not None and self.floor is not None and self.crm is not None
        sizes = self.sizes
        outcomes_before = self._outcomes()
        crashes_before = len(self.platform.crashes)
        failed_before = rq_backlog(self.redis_url)["failed"]
        log_from = len(self.emulator.log.entries())
        fault = inject(self) if before_load else None
        started = time.time()
        load = Load(
            name,
            self.env["CC_PUBLIC_BASE_URL"],
            self.emulator,
            self.built["integration"],
            calls_per_minute=sizes.calls_per_minute,
            tasks_per_second=sizes.tasks_per_second,
            seed=hash(name) % 1000,
            emails_per_second=sizes.emails_per_second if email else 0.0,
            smtp_port=int(self.env["CC_EMAIL_SMTP_PORT"]),
        ).start()
        self.load = load
        try:
            if fault is None:
                time.sleep(sizes.seconds / 3)
                fault = inject(self)
            struck = time.time()
            time.sleep(max(0.0, started + sizes.seconds - time.time()))
        finally:
            load.stop()
            self.load = None
        stopped = time.time()
        drained = self.drain(load, sizes.drain_seconds)
        jobs = rq_backlog(self.redis_url)
        jobs["failed"] -= failed_before
        result = audit(
            database_url=self.database_url,
            redis=self.redis,
            emulator=self.emulator,
            submitted=load.submitted,
            consoles=self.floor.by_agent(),
            crm=self.crm,
            log_from=log_from,
        )
        fault_at = float(fault.pop("fault_at"))
        recovery = fault.pop("recovery_s", None)
        if recovery is None:
            recovery = self.recovery(fault_at, load)
        not_done = jobs["queued"] + jobs["started"] + jobs["scheduled"] + jobs["failed"]
        result["lost"] += not_done
        result["lost_detail"]["jobs_not_done"] = jobs
        outcomes = {
            k: v - outcomes_before.get(k, 0)
            for k, v in self._outcomes().items()
            if v != outcomes_before.get(k, 0)
        }
        return {
            "scenario": name,
            **result,
            "recovery_s": None if recovery is None else round(recovery, 2),
            "drained_s": drained,
            "timing_s": {
                "to_fault_done": round(struck - started, 1),
                "load": round(stopped - started, 1),
                "audit": round(time.time() - stopped - (drained or 0), 1),
            },
            "fault": fault,
            "console_outcomes": outcomes,
            # Processes that exited by themselves (and were restarted, as by the launcher).
            "crashed": [name for name, _code, _at in self.platform.crashes[crashes_before:]],
        }

    def drain(self, load: Load, timeout: float) -> float | None:
        """Seconds until every call of the scenario is over at the carrier, every email it
        stored is processed, every task it put in has ended and the routing pipeline is idle;
        None if that never happened in `timeout`."""
        from bench.chat import _drained  # the routing pipeline's consumer groups are caught up
        from contactcentre.router.streams import COMMANDS, OUTBOX

        started = time.monotonic()
        # Idle on two polls in a row: the worker pops a job from its queue before its work
        # horse puts it in the started registry, and a poll in between sees it nowhere (a
        # PostgreSQL run's audit then found the job started and its screen pop missing).
        idle_polls = 0
        while time.monotonic() - started < timeout:
            live = [
                sid
                for sid in load.submitted.calls
                if str(self.emulator.call(sid).status) in ("queued", "ringing", "in-progress")
            ]
            jobs = rq_backlog(self.redis_url)
            idle_jobs = not (jobs["queued"] or jobs["started"] or jobs["scheduled"])
            crm_idle = self.crm is not None and self.crm.in_flight == 0
            streams_idle = all(_drained(self.redis, s) for s in (COMMANDS, OUTBOX))
            mail = mail_intake(self.database_url, list(load.submitted.mailed.tried))
            mail_idle = all(c.status != "received" for copies in mail.values() for c in copies)
            idle = not live and idle_jobs and crm_idle and streams_idle and mail_idle
            if idle and all(
                r["ended"] for r in task_set(self.database_url, load.submitted).values()
            ):
                idle_polls += 1
                if idle_polls == 2:
                    return round(time.monotonic() - started, 1)
            else:
                idle_polls = 0
            time.sleep(0.5)
        return None

    def recovery(self, fault_at: float, load: Load) -> float | None:
        """Fault -> the first offer that reached a console for a contact that came in after the
        fault: intake (web, database), routing (router, Redis) and delivery (notifier, web,
        socket) all working again."""
        assert self.floor is not None
        rows = task_set(self.database_url, load.submitted)
        consoles = self.floor.by_agent()
        decisions = read_outbox(self.redis)
        first = None
        for rid, offer in decisions.offers.items():
            row = rows.get(offer["task_id"])
            if row is None or not row["created"] or row["created"] <= fault_at:
                continue
            got = consoles[str(offer["agent_id"])].offers_received().get(rid)
            if got is not None and (first is None or got < first):
                first = got
        return None if first is None else first - fault_at

    def _outcomes(self) -> dict[str, int]:
        assert self.floor is not None
        total: dict[str, int] = {}
        for console in self.floor.consoles:
            for key, value in {**console.tally.outcomes, **console.restored}.items():
                total[key] = total.get(key, 0) + value
            for key, value in console.tally.http.items():
                total["http " + key] = total.get("http " + key, 0) + value
        return dict(sorted(total.items()))


def client_pid(port: int, among: list[int]) -> int | None:
    """Which of the process groups `among` owns the loopback TCP connection from `port`
    (Linux /proc; None elsewhere or when none does)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    if not inodes:
        return None
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
        with contextlib.suppress(OSError):
            if os.getpgid(pid) not in among:
                continue
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return os.getpgid(pid)
    return None
