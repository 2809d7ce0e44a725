"""Email intake under a burst over SMTP, with the mail process killed -9 half-way and restarted.

Senders (BENCH_SENDERS threads, one SMTP connection each) deliver BENCH_MESSAGES messages, one
in ten an auto-reply, to the real `mail` process on a loopback port; a sender whose message got
no 250 (the kill) reconnects and sends it again, as a mail server does. Then every message must
have been processed into exactly one thread, and no auto-reply acknowledged.

Measures: `burst_messages_per_s` (messages acknowledged per second before the kill), `lost`
(acknowledged, not stored or never processed), `duplicated` (a message stored or threaded more
than once), `acks_to_automatic`. `offer_p99_ms` is null: this bench runs no router and no agents
(received -> offered is not measured yet). SQLite, this machine.
"""

from __future__ import annotations

import json
import os
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import free_port, scratch

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
SENDERS = int(os.environ.get("BENCH_SENDERS", "4"))
MAILBOX = "support@example.com"


def _message(n: int) -> bytes:
    auto = "Auto-Submitted: auto-replied\r\n" if n % 10 == 0 else ""
    return (
        f"From: customer{n}@customer.example\r\nTo: {MAILBOX}\r\nSubject: question {n}\r\n"
        f"Message-ID: <bench-{n}@customer.example>\r\n{auto}MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello, this is question number {n} about my order.\r\n"
    ).encode()


def _wait_for(port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.recv(100)
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the mail process never listened on {port}")


class Sender(threading.Thread):
    def __init__(self, numbers: list[int], port: int, acked: set[int], lock: threading.Lock):
        super().__init__(daemon=True)
        self.numbers, self.port, self.acked, self.lock = numbers, port, acked, lock

    def run(self) -> None:
        smtp: smtplib.SMTP | None = None
        for n in self.numbers:
            while True:  # until this message gets its 250
                try:
                    if smtp is None:
                        smtp = smtplib.SMTP("127.0.0.1", self.port, timeout=30)
                    smtp.sendmail(f"customer{n}@customer.example", [MAILBOX], _message(n))
                    with self.lock:
                        self.acked.add(n)
                    break
                except (OSError, smtplib.SMTPException):
                    smtp = None
                    time.sleep(0.2)
        if smtp is not None:
            smtp.quit()


def main() -> None:
    from sqlalchemy import func, select

    from contactcentre.store.db import Database
    from contactcentre.store.migrate import upgrade
    from contactcentre.store.models import EmailThread, InboundEmail, Mailbox, OutboundEmail

    with scratch("email") as (work, redis_url):
        url = f"sqlite:///{work / 'bench.sqlite3'}"
        upgrade(url)
        db = Database(url)
        with db.session() as session:
            session.add(Mailbox(address=MAILBOX, display_name="Support"))
        port = free_port()
        env = {**os.environ, "CC_DATABASE_URL": url, "CC_REDIS_URL": redis_url,
               "CC_INSTANCE_PATH": str(work / "instance"), "CC_SECRET_KEY": "bench",
               "CC_EMAIL_SMTP_PORT": str(port), "CC_EMAIL_POLL_SECONDS": "0.2",
               "CC_LOG_LEVEL": "WARNING"}  # fmt: skip

        def start() -> subprocess.Popen[bytes]:
            process = subprocess.Popen(
                [sys.executable, "-m", "contactcentre", "mail"], cwd=ROOT, env=env,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            _wait_for(port)
            return process

        mail = start()
        acked: set[int] = set()
        lock = threading.Lock()
        senders = [
            Sender(list(range(i, MESSAGES, SENDERS)), port, acked, lock) for i in range(SENDERS)
        ]
        began = time.monotonic()
        for sender in senders:
            sender.start()
        while len(acked) < MESSAGES // 2:
            time.sleep(0.01)
        burst = len(acked) / (time.monotonic() - began)
        mail.kill()  # -9, mid-dialogue for every sender
        mail.wait()
        mail = start()
        for sender in senders:
            sender.join()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with db.session() as session:
                waiting = session.scalar(
                    select(func.count()).where(InboundEmail.status == "received")
                )
            if not waiting:
                break
            time.sleep(0.5)
        mail.terminate()
        mail.wait(timeout=30)
        with db.session() as session:
            stored = dict(
                session.execute(
                    select(InboundEmail.message_key, func.count()).group_by(
                        InboundEmail.message_key
                    )
                ).all()
            )
            processed = set(
                session.scalars(
                    select(InboundEmail.message_key).where(InboundEmail.status == "processed")
                )
            )
            threads = session.scalar(select(func.count(EmailThread.id))) or 0
            automatic = (
                session.scalar(
                    select(func.count(OutboundEmail.id))
                    .join(InboundEmail, InboundEmail.thread_id == OutboundEmail.thread_id)
                    .where(InboundEmail.kind != "customer")
                )
                or 0
            )
        db.dispose()
    keys = {f"bench-{n}@customer.example" for n in acked}
    lost = len(keys - processed)
    duplicated = sum(count - 1 for count in stored.values()) + max(0, threads - len(stored))
    print(json.dumps({
        "messages": MESSAGES, "senders": SENDERS, "acknowledged": len(acked),
        "lost": lost, "duplicated": duplicated, "acks_to_automatic": int(automatic),
        "offer_p99_ms": None, "burst_messages_per_s": round(burst, 1),
        "database": "sqlite", "mail_process_killed": 1,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
