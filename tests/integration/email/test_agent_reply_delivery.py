"""An agent's reply on its way out: a real `python -m contactcentre worker` killed -9 while the
SMTP server holds it at RCPT leaves the reply stored and unsent; a new worker hands the
abandoned job back to RQ's retry and the customer gets it exactly once, with its threading
headers. And the reply closes the email's SLA first-response clock."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI
from sqlalchemy import select

from contactcentre.platform.runtime import Runtime
from contactcentre.reporting.sla_watch import watch
from contactcentre.settings import Settings
from contactcentre.store.models import OutboundEmail, SlaClockRow
from tests.email_corpus import simple
from tests.integration.email.agent_email import arrived, assign
from tests.integration.email.smtp_sink import Receiver, running_sink
from tests.integration.realtime.live import eventually
from tests.integration.reporting.sla_floor import sla_floor

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def runtime(app: OpenAPI) -> Runtime:
    found: Runtime = app.extensions["contactcentre"]
    return found


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, int]]:
    with running_sink() as found:
        yield found


class Workers:
    """Worker processes in their own process groups (a kill takes the work horse too)."""

    def __init__(self, env: dict[str, str], log: Any) -> None:
        self.env, self.log, self.started = env, log, []  # type: ignore[var-annotated]

    def start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "contactcentre", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes], runtime: Runtime | None = None) -> None:
        """SIGKILL to the worker's group and to its work horse (rq puts a horse in a session
        of its own), found in the worker's record (PlatformWorker writes it there)."""
        horses = []
        if runtime is not None:
            for key in runtime.redis.scan_iter("rq:worker:*"):
                with contextlib.suppress(Exception):
                    horse = runtime.redis.hget(key, "horse_pid")
                    if horse:
                        horses.append(int(horse))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def workers(
    settings: Settings, receiver: tuple[Receiver, int], tmp_path: Path
) -> Iterator[Workers]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CC_", "TEST_"))}
    env.update(
        CC_REDIS_URL=str(settings.redis_url),
        CC_DATABASE_URL=settings.effective_database_url,
        CC_INSTANCE_PATH=str(settings.instance_path),
        CC_SECRET_KEY="test-secret-key",
        CC_HEARTBEAT_SECONDS="1",
        CC_SMTP_HOST="127.0.0.1",
        CC_SMTP_PORT=str(receiver[1]),
    )
    with (tmp_path / "workers.log").open("wb") as log:
        pool = Workers(env, log)
        try:
            yield pool
        finally:
            for process in pool.started:
                pool.kill(process)


def _reply(client: FlaskClient, interaction_id: str, agent: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(
        f"/api/v1/emails/{interaction_id}/replies",
        json={"body": "It left our warehouse today."},
        headers=agent["headers"],
    )
    assert answer.status_code == 201, answer.get_json()
    found: dict[str, Any] = answer.get_json()
    return found


def _row(runtime: Runtime, outbound_id: int) -> OutboundEmail:
    with runtime.db.session() as session:
        row = session.get(OutboundEmail, outbound_id)
        assert row is not None
        session.expunge(row)
        return row


def test_a_worker_killed_mid_send_delivers_the_reply_exactly_once_after_restart(
    runtime: Runtime,
    client: FlaskClient,
    make_user: Any,
    receiver: tuple[Receiver, int],
    workers: Workers,
) -> None:
    handler, _ = receiver
    agent = make_user("agent")
    interaction_id = arrived(runtime, simple(extra="References: <first@customer.example>\n"))
    assign(runtime, interaction_id, agent["agent_id"])
    with runtime.db.session() as session:  # the acknowledgement is not what this test is about
        for ack in session.scalars(select(OutboundEmail)):
            ack.status = "sent"
    handler.hold.set()
    first = workers.start()
    reply = _reply(client, interaction_id, agent)
    outbound_id = int(reply["id"].removeprefix("out-"))
    assert handler.at_rcpt.wait(60), "the worker never reached the SMTP server"
    assert _row(runtime, outbound_id).status == "sending"
    workers.kill(first, runtime)
    handler.hold.clear()
    assert handler.messages == []
    workers.start()  # its rescuer hands the abandoned job to RQ's retry
    eventually(lambda: handler.messages, timeout=90)
    eventually(lambda: _row(runtime, outbound_id).status == "sent", timeout=30)
    time.sleep(2)  # a second delivery, if one were coming, would come from the same retry
    (raw,) = handler.messages
    sent = message_from_bytes(raw, policy=policy.default)
    row = _row(runtime, outbound_id)
    assert row.attempts == 2
    assert sent["Message-ID"] == f"<{row.message_id}>"
    assert sent["In-Reply-To"] == "<m1@customer.example>"
    assert sent["References"] == "<first@customer.example> <m1@customer.example>"
    assert sent["To"] == "ann@customer.example"
    assert sent["Subject"] == row.subject and row.subject.startswith("Re: My order has not")
    assert "[CC-" in sent["Subject"]
    assert "It left our warehouse today." in sent.get_content()


def test_the_agents_reply_closes_the_first_response_clock(
    app: OpenAPI, runtime: Runtime, client: FlaskClient, make_user: Any, admin: dict[str, Any]
) -> None:
    """Running while only the acknowledgement went out; met once the agent answered."""
    sla_floor(app, client, admin)
    agent = make_user("agent")
    interaction_id = arrived(runtime, simple())
    assign(runtime, interaction_id, agent["agent_id"])

    def clock() -> SlaClockRow:
        with runtime.db.session() as session:
            return session.scalars(
                select(SlaClockRow).where(
                    SlaClockRow.interaction_id == interaction_id,
                    SlaClockRow.target == "first_response",
                )
            ).one()

    watch(runtime.db, now=time.time())
    assert clock().status == "running"
    _reply(client, interaction_id, agent)
    watch(runtime.db, now=time.time() + 1)
    assert clock().status == "met"
