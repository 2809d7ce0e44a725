"""Helpers for the email channel's tests: a mailbox, a stored message, the intake processor."""

from __future__ import annotations

from typing import Any

from contactcentre.email.intake import Stored, store
from contactcentre.email.processing import limits_for
from contactcentre.email.processor import IntakeProcessor
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.models import Mailbox

ADDRESS = "support@example.com"


def add_mailbox(db: Database, address: str = ADDRESS, **fields: object) -> int:
    with db.session() as session:
        mailbox = Mailbox(address=address, display_name="Support", **fields)
        session.add(mailbox)
        session.flush()
        return mailbox.id


def deliver(db: Database, mailbox_id: int, raw: bytes, **fields: object) -> Stored:
    with db.session() as session:
        return store(session, mailbox_id=mailbox_id, raw=raw, source="smtp", **fields)  # type: ignore[arg-type]


def processor(db: Database, settings: Settings) -> IntakeProcessor:
    return IntakeProcessor(db, limits_for(settings))


class MailProcess:
    """`python -m contactcentre mail` as its own process, on a loopback port of its own."""

    def __init__(self, settings: Settings, port: int, **env: str) -> None:
        import os
        from pathlib import Path

        self.port = port
        self.root = Path(__file__).resolve().parents[3]
        self.env = {
            **os.environ,
            "CC_DATABASE_URL": settings.effective_database_url,
            "CC_REDIS_URL": str(settings.redis_url),
            "CC_INSTANCE_PATH": str(settings.instance_path),
            "CC_SECRET_KEY": "test-secret-key",
            "CC_EMAIL_SMTP_PORT": str(port),
            "CC_EMAIL_POLL_SECONDS": "0.2",
            "CC_PROCESSES": "",
            **env,
        }
        self.process: object = None

    def start(self) -> MailProcess:
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-m", "contactcentre", "mail"], cwd=self.root, env=self.env
        )
        wait_for_port(self.port)
        return self

    def kill(self) -> None:
        import subprocess

        assert isinstance(self.process, subprocess.Popen)
        self.process.kill()  # SIGKILL: no clean-up of any kind
        self.process.wait()

    def stop(self) -> None:
        import subprocess

        if isinstance(self.process, subprocess.Popen) and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    import socket
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.recv(100)  # the 220 greeting: the listener is up
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def channel_processor(runtime: object) -> IntakeProcessor:
    """The processor as the mail process wires it: parsing, then the channel's rules."""
    from contactcentre.email.channel import EmailChannel
    from contactcentre.platform.runtime import Runtime

    assert isinstance(runtime, Runtime)
    return IntakeProcessor(
        runtime.db, limits_for(runtime.settings), EmailChannel(runtime).after_parse
    )


def run_channel(runtime: object, inbound_id: int) -> object:
    """Process what is waiting as the mail process does; the message's row afterwards."""
    from contactcentre.platform.runtime import Runtime
    from contactcentre.store.models import InboundEmail

    assert isinstance(runtime, Runtime)
    channel_processor(runtime).run_once()
    with runtime.db.session() as session:
        row = session.get(InboundEmail, inbound_id)
        assert row is not None
        session.expunge(row)
        return row


def submitted_tasks(client: object) -> list[dict[str, object]]:
    """The task_submitted commands on the router's stream."""
    import json

    import redis

    from contactcentre.router.streams import COMMANDS

    assert isinstance(client, redis.Redis)
    entries: Any = client.xrange(COMMANDS)
    events = [json.loads(fields["event"]) for _, fields in entries]
    return [e for e in events if e.get("kind") == "task_submitted"]


def inbound_count(db: Database) -> int:
    from sqlalchemy import func, select

    from contactcentre.store.models import InboundEmail

    with db.session() as session:
        return int(session.scalar(select(func.count(InboundEmail.id))) or 0)
