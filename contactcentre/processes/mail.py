"""The mail process: the SMTP listener and the IMAP pollers for inbound email and the intake
processor that parses, threads and routes what they stored, with a heartbeat. Restarted after
kill -9 it loses nothing: what was acknowledged (250) or stored from IMAP is in SQL, and what was
not yet processed is processed now."""

from __future__ import annotations

import logging
import signal
import threading

from contactcentre.email.channel import EmailChannel
from contactcentre.email.imap_poller import ImapPollers
from contactcentre.email.processing import limits_for
from contactcentre.email.processor import IntakeProcessor
from contactcentre.email.smtp_listener import IntakeHandler, listener
from contactcentre.platform.heartbeat import Heartbeat
from contactcentre.platform.runtime import build_runtime
from contactcentre.settings import Settings

log = logging.getLogger(__name__)


def _refresh(pollers: ImapPollers) -> None:
    """The pollers' check against the mailboxes table. A database outage must not end the
    process: its SMTP listener would stop answering with it (senders' retries would wait on the
    process manager's restart), so the check is tried again on the next pass."""
    try:
        pollers.refresh()
    except Exception:
        log.exception("IMAP pollers' refresh failed; retrying on the next pass")


def run_mail(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level)
    runtime = build_runtime(settings)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _n, _f: stopping.set())
    beat = Heartbeat(runtime.redis, "mail", settings.heartbeat_seconds).start()
    channel = EmailChannel(runtime)
    processor = IntakeProcessor(runtime.db, limits_for(settings), channel.after_parse)
    smtp = listener(
        IntakeHandler(runtime.db, processor.wake.set),
        settings.email_smtp_host,
        settings.email_smtp_port,
        settings.email_max_message_bytes,
    )
    pollers = ImapPollers(
        runtime.db,
        processor.wake.set,
        idle_seconds=settings.email_imap_idle_seconds,
        poll_seconds=settings.email_imap_poll_seconds,
        backoff_max_seconds=settings.email_imap_backoff_max_seconds,
    )
    processor.start(settings.email_poll_seconds)
    smtp.start()
    log.info("SMTP listener on %s:%s", settings.email_smtp_host, settings.email_smtp_port)
    try:
        _refresh(pollers)
        while not stopping.wait(settings.email_poll_seconds):
            channel.reconcile()
            _refresh(pollers)
    finally:
        smtp.stop()
        pollers.stop()
        processor.stop()
        beat.stop()
        runtime.close()
