"""Router crash safety on real Redis: kill -9 the leader under load; the standby takes over.

Invariants are checked over the whole decision history (the outbox): no task lost, none
offered to two agents at once, no agent over capacity, every task ended exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import redis

from contactcentre.router.commands import RoutingCommands
from contactcentre.router.streams import LEADER, OUTBOX
from contactcentre.settings import PROJECT_ROOT
from contactcentre.store.db import Database
from routing import events as ev
from tests.builders import add_queue

AGENTS = 20
TASKS = 300
RATE = 100.0  # tasks per second


def _start_router(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "contactcentre", "router"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class ScriptedAgents:
    """Reads every decision from the outbox, accepts each offer, completes each call soon after."""

    def __init__(self, client: redis.Redis, commands: RoutingCommands) -> None:
        self.client, self.commands = client, commands
        self.history: list[tuple[str, dict[str, Any]]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        last = "0"
        while not self.stop.is_set():
            reply: Any = self.client.xread({OUTBOX: last}, count=500, block=100)
            for _stream, entries in reply or []:
                for entry_id, fields in entries:
                    last = entry_id
                    for delivery in json.loads(fields["effects"]):
                        effect = delivery["effect"]
                        self.history.append((entry_id, effect))
                        if effect["kind"] == "offer_created":
                            self.commands.send(ev.OfferAccepted(effect["reservation_id"]))
                        elif effect["kind"] == "task_assigned":
                            self.commands.send(ev.TaskCompleted(effect["task_id"]))

    def ended(self) -> int:
        return sum(1 for _, e in self.history if e["kind"] == "task_ended")


@pytest.mark.slow
def test_kill_9_leader_under_load(
    database: Database, redis_client: redis.Redis, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    """After kill -9 of the leader mid-load, the standby resumes and nothing is lost or doubled."""
    with database.session() as session:
        add_queue(session, "Everyone", offer_timeout_seconds=30)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CC_")}
    env.update(
        CC_DATABASE_URL=database_url,
        CC_REDIS_URL=redis_url,
        CC_LOG_LEVEL="WARNING",
        CC_INSTANCE_PATH=str(tmp_path / "instance"),
        CC_HEARTBEAT_SECONDS="1",
    )
    leader = _start_router(env)
    standby: subprocess.Popen[bytes] | None = None
    commands = RoutingCommands(redis_client)
    agents = ScriptedAgents(redis_client, commands)
    try:
        deadline = time.monotonic() + 30
        while not redis_client.get(LEADER) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert redis_client.get(LEADER), "the first router never took the lead"
        standby = _start_router(env)
        agents.thread.start()
        for n in range(AGENTS):
            commands.send(ev.AgentSignedIn(f"a{n}"))
        killed_at = 0.0
        for n in range(TASKS):
            commands.send(
                ev.TaskSubmitted(f"t{n}", attributes={"queue_id": "1"}, created_at=time.time())
            )
            if n == TASKS // 2:
                leader.send_signal(signal.SIGKILL)
                leader.wait()
                killed_at = time.time()
            time.sleep(1 / RATE)
        deadline = time.monotonic() + 60
        while agents.ended() < TASKS and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        agents.stop.set()
        for process in (leader, standby):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(10)
    history = agents.history
    _check_invariants(history)
    first_after = min(
        int(eid.split("-")[0]) for eid, _ in history if int(eid.split("-")[0]) / 1000 > killed_at
    )
    # Reported, not asserted (timings are noisy on shared machines): see bench/router.py.
    print(f"routing resumed {first_after / 1000 - killed_at:.2f} s after kill -9")


def _check_invariants(history: list[tuple[str, dict[str, Any]]]) -> None:
    open_offer: dict[str, str] = {}
    holding: dict[str, set[str]] = defaultdict(set)
    ended: dict[str, int] = defaultdict(int)
    reservations: set[str] = set()
    for _, effect in history:
        kind = effect["kind"]
        task = effect.get("task_id", "")
        if kind == "offer_created":
            assert task not in open_offer, f"{task} offered to two agents at once"
            assert effect["reservation_id"] not in reservations, "a reservation id was reused"
            reservations.add(effect["reservation_id"])
            open_offer[task] = effect["agent_id"]
        elif kind in ("offer_rescinded", "task_assigned"):
            open_offer.pop(task, None)
            if kind == "task_assigned":
                holding[effect["agent_id"]].add(task)
                assert len(holding[effect["agent_id"]]) <= 1, "an agent took two calls at once"
        elif kind == "task_ended":
            ended[task] += 1
            for tasks in holding.values():
                tasks.discard(task)
    assert sorted(ended) == sorted(f"t{n}" for n in range(TASKS)), "some task never ended"
    assert set(ended.values()) == {1}, "a task ended twice"
