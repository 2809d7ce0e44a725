"""The fault suite's email load: customers' mail servers delivering to the `mail` process over
SMTP at a steady rate, each resending a message that got no 250 (as a mail server does).

A message is acknowledged only by the 250 that ends its DATA. The mail scenario can hold the
next DATA half-sent (`hold_next_data`) so the kill lands while the message is in flight.
"""

from __future__ import annotations

import queue
import smtplib
import threading
import time
from dataclasses import dataclass, field

MAILBOX = "support@faults.example"
SENDERS = 2  # SMTP connections; a message waits for a free one, as in a mail server's queue
PATIENCE_SECONDS = 90.0  # a mail server retries for days; the suite's drain is shorter
HOLD_MAX_SECONDS = 10.0  # a held DATA goes on after this even if nobody released it
BODY_LINES = 400  # ~30 kB: a DATA that takes a moment, so half of it can be held


def message_key(scenario: str, n: int) -> str:
    """The Message-ID without its brackets: the intake's idempotency key (docs/email.md)."""
    return f"faults-{scenario}-{n}@customer.example"


def message(scenario: str, n: int) -> bytes:
    """A customer's first message: its own sender and subject, so it opens a thread (and a task)
    of its own; no line starts with a dot, so no dot-stuffing is needed."""
    line = f"Line of question {n}: where is my order, it was due last week.\r\n"
    return (
        f"From: customer-{scenario}-{n}@customer.example\r\nTo: {MAILBOX}\r\n"
        f"Subject: {scenario} question {n}\r\nMessage-ID: <{message_key(scenario, n)}>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello,\r\n{line * BODY_LINES}Thanks\r\n"
    ).encode()


@dataclass
class Mailed:
    """What the senders put in, by message key: first tried when, acknowledged (250) when, or
    why it never was."""

    tried: dict[str, float] = field(default_factory=dict)
    acked: dict[str, float] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    resends: int = 0  # attempts after the first, over all messages
    lock: threading.Lock = field(default_factory=threading.Lock)

    def first_ack_after(self, moment: float) -> float | None:
        with self.lock:
            return min((t for t in self.acked.values() if t > moment), default=None)


class MailSenders:
    """`per_second` messages a second (evenly spaced, open loop) queued for SENDERS threads,
    each holding one SMTP connection to the mail process on `port`."""

    def __init__(self, scenario: str, port: int, per_second: float, mailed: Mailed) -> None:
        self.scenario = scenario
        self.port = port
        self.gap = 1.0 / per_second
        self.mailed = mailed
        self._due: queue.Queue[int] = queue.Queue()
        self._stop = threading.Event()
        self._hold = threading.Lock()
        self._hold_wanted: queue.Queue[str] | None = None
        self._release = threading.Event()
        self._threads = [
            threading.Thread(target=self._pace, name="mail-pace", daemon=True),
            *(
                threading.Thread(target=self._send, name=f"mail-sender-{i}", daemon=True)
                for i in range(SENDERS)
            ),
        ]

    def start(self) -> MailSenders:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """No new messages; the ones queued or in flight are delivered (or given up on)."""
        self._stop.set()
        self._release.set()
        for thread in self._threads:
            thread.join(PATIENCE_SECONDS + 30)

    def hold_next_data(self) -> queue.Queue[str]:
        """The next DATA stops half-way until `release()`; its message key is put on the
        returned queue once half of it is on the wire."""
        held: queue.Queue[str] = queue.Queue()
        with self._hold:
            self._release.clear()
            self._hold_wanted = held
        return held

    def release(self) -> None:
        with self._hold:
            self._hold_wanted = None
        self._release.set()

    def _pace(self) -> None:
        n = 0
        next_at = time.monotonic()
        while not self._stop.wait(max(0.0, next_at - time.monotonic())):
            n += 1
            self._due.put(n)
            next_at += self.gap

    def _send(self) -> None:
        smtp: smtplib.SMTP | None = None
        while not (self._stop.is_set() and self._due.empty()):
            try:
                n = self._due.get(timeout=0.2)
            except queue.Empty:
                continue
            smtp = self._deliver(smtp, n)
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def _deliver(self, smtp: smtplib.SMTP | None, n: int) -> smtplib.SMTP | None:
        """Until the 250 after DATA: a broken connection or a 4xx is tried again on a new
        connection (what was not answered 250 is not delivered); a 5xx is a refusal."""
        key = message_key(self.scenario, n)
        body = message(self.scenario, n)
        first = time.time()
        with self.mailed.lock:
            self.mailed.tried[key] = first
        pause = 0.2
        tries = 0
        why = "never answered"
        while time.time() - first < PATIENCE_SECONDS:
            tries += 1
            try:
                if smtp is None:
                    smtp = smtplib.SMTP("127.0.0.1", self.port, timeout=30)
                code, reply = self._transaction(smtp, key, body)
            except (OSError, smtplib.SMTPException) as exc:
                why = type(exc).__name__
                code, reply = 0, b""
            if code == 250:
                with self.mailed.lock:
                    self.mailed.acked[key] = time.time()
                    self.mailed.resends += tries - 1
                return smtp
            if code >= 500:
                with self.mailed.lock:
                    self.mailed.refused[key] = f"{code} {reply.decode(errors='replace')}"
                return smtp
            if code:
                why = f"{code} {reply.decode(errors='replace')}"
            if smtp is not None:
                smtp.close()
            smtp = None
            time.sleep(pause)
            pause = min(2.0, pause * 2)
        with self.mailed.lock:
            self.mailed.refused[key] = why
        return smtp

    def _transaction(self, smtp: smtplib.SMTP, key: str, body: bytes) -> tuple[int, bytes]:
        """MAIL, RCPT, DATA by hand (smtplib's sendmail cannot pause inside DATA)."""
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(f"customer@{key.split('@', maxsplit=1)[0]}.example")
        if code != 250:
            return code, reply
        code, reply = smtp.rcpt(MAILBOX)
        if code not in (250, 251):
            return code, reply
        code, reply = smtp.docmd("DATA")
        if code != 354:
            return code, reply
        half = len(body) // 2
        smtp.send(body[:half])
        with self._hold:
            held, self._hold_wanted = self._hold_wanted, None
        if held is not None:
            held.put(key)
            self._release.wait(HOLD_MAX_SECONDS)
        smtp.send(body[half:] + b".\r\n")
        return smtp.getreply()
