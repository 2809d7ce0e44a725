"""The intake processor: works through stored messages in arrival order, each in its own
transaction. A message whose processing raises (not the parser's refusal: a bug, a constraint)
is retried on later passes and quarantined after MAX_ATTEMPTS, and the ones after it go on; a
database failure (OperationalError, or a schema not found: ProgrammingError) is no attempt.

Woken by the listener after each commit, and every `email_poll_seconds` regardless, so a message
stored by another intake (or before a crash) is never left behind.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from contactcentre.email.parsing import Limits
from contactcentre.email.processing import AfterParse, Outcome, process
from contactcentre.email.quarantine import quarantine
from contactcentre.store.db import Database
from contactcentre.store.models import InboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
BATCH = 200


class IntakeProcessor:
    def __init__(self, db: Database, limits: Limits, after_parse: AfterParse | None = None) -> None:
        self.db = db
        self.limits = limits
        self.after_parse = after_parse
        self.wake = threading.Event()
        self._stop = threading.Event()
        self._failures: dict[int, int] = {}
        self._thread: threading.Thread | None = None

    def pending(self) -> list[int]:
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(InboundEmail.id)
                    .where(InboundEmail.status == "received")
                    .order_by(InboundEmail.id)
                    .limit(BATCH)
                )
            )

    def run_once(self) -> list[Outcome]:
        """One pass over what is waiting; the outcome of each message it finished."""
        done = []
        for inbound_id in self.pending():
            outcome = self._one(inbound_id)
            if outcome is not None:
                done.append(outcome)
        return done

    def _one(self, inbound_id: int) -> Outcome | None:
        try:
            with self.db.session() as session:
                outcome = process(session, inbound_id, self.limits, self.after_parse)
            self._failures.pop(inbound_id, None)
            return outcome
        except (OperationalError, ProgrammingError):
            # The database failed, not the message: a restart or a lost connection
            # (OperationalError), or a schema this code does not find, as mid-way through a
            # deploy's migration (PostgreSQL's UndefinedTable is a ProgrammingError). Not an
            # attempt, or an outage of three passes would quarantine good mail; the message
            # waits, received, for the database. A message's own bad data (IntegrityError,
            # DataError) still counts.
            log.exception("processing inbound email %s failed on the database", inbound_id)
            return None
        except Exception as exc:
            attempts = self._failures.get(inbound_id, 0) + 1
            self._failures[inbound_id] = attempts
            log.exception("processing inbound email %s failed (attempt %s)", inbound_id, attempts)
            if attempts < MAX_ATTEMPTS:
                return None
            with self.db.session() as session:
                inbound = session.get(InboundEmail, inbound_id)
                if inbound is not None and inbound.status == "received":
                    quarantine(session, inbound, "processing_error", f"{type(exc).__name__}: {exc}")
            self._failures.pop(inbound_id, None)
            return Outcome(inbound_id, "quarantined", "processing_error")

    def start(self, poll_seconds: float) -> IntakeProcessor:
        def loop() -> None:
            while not self._stop.is_set():
                self.wake.clear()
                try:
                    while self.run_once() and not self._stop.is_set():
                        pass
                except Exception:
                    log.exception("intake processor pass failed; retrying")
                self.wake.wait(poll_seconds)

        self._thread = threading.Thread(target=loop, name="email-intake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
