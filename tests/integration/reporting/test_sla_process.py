"""The SLA watch as the platform runs it: the scheduled RQ job books its next slot and writes
the alerts owed; watch processes killed with SIGKILL in the middle of sending leave, after one
more run, every alert sent exactly once and recorded as sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.realtime.rooms import SUPERVISORS
from contactcentre.realtime.sequence import SequencedLog
from contactcentre.reporting import sla_schedule
from contactcentre.reporting.sla_watch import watch
from contactcentre.settings import PROJECT_ROOT
from contactcentre.store.db import Database
from contactcentre.store.models import Queue as CallQueue
from contactcentre.store.models import SlaAlert, SlaPolicyRow
from tests.integration.reporting.builders import add_contact, log


@pytest.fixture
def env(
    database_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    values = {
        "CC_DATABASE_URL": database_url,
        "CC_REDIS_URL": redis_url,
        "CC_INSTANCE_PATH": str(tmp_path / "instance"),
        "CC_SOCKETIO_CHANNEL": f"cc-sla-{os.getpid()}",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def _waiting_calls(database: Database, calls: int, waited: float) -> None:
    """A 20 s answer policy and `calls` calls queued `waited` seconds ago, none answered."""
    start = datetime.fromtimestamp(time.time() - waited, UTC)
    with database.session() as session:
        session.add(SlaPolicyRow(name="voice", channel="voice", answer_seconds=20))
        queue = CallQueue(name="Billing")
        session.add(queue)
        session.flush()
        for _ in range(calls):
            contact = add_contact(session, "voice", queue.id)
            log(session, contact, start, ("queued", 0.0, {"queue_id": queue.id}))


def test_the_scheduled_job_writes_alerts_and_books_the_next_slot(
    database: Database, env: dict[str, str], redis_client: Any
) -> None:
    """The RQ job breaches the calls waiting past 20 s, sends their alerts and books itself."""
    _waiting_calls(database, 3, 30.0)
    sla_schedule._database.cache_clear()
    sla_schedule._channel.cache_clear()
    connection = redis_lib.Redis.from_url(env["CC_REDIS_URL"])
    queue = Queue(sla_schedule.QUEUE, connection=connection)
    queue.enqueue(sla_schedule.watch_job)
    SimpleWorker([queue], connection=connection).work(burst=True)
    sla_schedule._database().dispose()
    sla_schedule._database.cache_clear()
    with database.session() as session:
        sent = session.scalars(select(SlaAlert.sent_at)).all()
    assert len(sent) == 3 and None not in sent
    events, _complete = SequencedLog(redis_client).since(SUPERVISORS, 0)
    assert [e["event"] for e in events] == ["sla_breach"] * 3
    booked = ScheduledJobRegistry(queue=queue).get_job_ids()
    assert any(job.startswith(sla_schedule.JOB_PREFIX) for job in booked)


def test_slots_are_five_seconds_or_the_next_due_second() -> None:
    """The next slot is the next multiple of 5 s, or the second a clock falls due before it."""
    assert sla_schedule.next_slot(1000.2) == 1005
    assert sla_schedule.next_slot(1000.2, due=1002.4) == 1003
    assert sla_schedule.next_slot(1000.2, due=999.0) == 1005  # overdue: the regular slot


def _sent_so_far(client: Any) -> int:
    return SequencedLog(client).current(SUPERVISORS)


def _run_and_kill_once_sending(env: dict[str, str], client: Any) -> None:
    """A `reports sla-watch` process, SIGKILLed as soon as it has sent one more alert (its
    sends are recorded in SQL only after the whole batch: killed, they are not recorded)."""
    before = _sent_so_far(client)
    process = subprocess.Popen(
        [sys.executable, "-m", "contactcentre", "reports", "sla-watch"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while _sent_so_far(client) <= before and time.monotonic() < deadline:
            time.sleep(0.001)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait()


def test_watches_killed_while_sending_send_each_alert_exactly_once(
    database: Database, env: dict[str, str], redis_client: Any
) -> None:
    """Two `reports sla-watch` processes SIGKILLed in the middle of sending, then one run to
    the end: each of 300 breach alerts is in the supervisors' room once, all marked sent."""
    _waiting_calls(database, 300, 30.0)
    for _ in range(2):
        _run_and_kill_once_sending(env, redis_client)
        with database.session() as session:
            unsent = session.scalar(select(func.count()).where(SlaAlert.sent_at.is_(None)))
        assert _sent_so_far(redis_client) > 0 and unsent == 300, "killed half-way"
    emitter = RealtimeEmitter(redis_client, env["CC_REDIS_URL"], env["CC_SOCKETIO_CHANNEL"])
    watch(database, redis_client, emitter)
    events, complete = SequencedLog(redis_client).since(SUPERVISORS, 0)
    assert complete
    counts = Counter(e["data"]["alert_id"] for e in events if e["event"] == "sla_breach")
    with database.session() as session:
        alerts = session.scalar(select(func.count()).select_from(SlaAlert))
        unsent = session.scalar(select(func.count()).where(SlaAlert.sent_at.is_(None)))
    assert alerts == 300 and unsent == 0
    assert len(counts) == 300 and set(counts.values()) == {1}
