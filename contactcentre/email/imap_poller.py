"""Polling a mailbox over IMAP: everything above the last UID stored is fetched (BODY.PEEK, so the
\\Seen flag people read by is never touched nor relied on) and goes through the intake, one
message per transaction together with the new last UID, so a kill -9 resumes where the last
commit left and an outage is backfilled on the next connection.

UIDVALIDITY is kept beside the last UID: when the server changes it (a folder rebuilt or
restored), UIDs mean nothing any more, so the folder is read again from the start and the
intake's (mailbox, Message-ID) idempotency keeps what was already stored from being stored twice.
Between passes the poller waits in IDLE where the server offers it, else sleeps; a lost
connection is retried with exponential backoff.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError
from sqlalchemy import select, update

from contactcentre.email.intake import store
from contactcentre.email.secrets import SecretError, secret_for
from contactcentre.store.db import Database
from contactcentre.store.models import Mailbox
from contactcentre.store.models.email import IMAP_TLS_MODES

log = logging.getLogger(__name__)

FETCH_BATCH = 10  # messages per FETCH: bounds memory at 10 x the largest message
_UID = re.compile(rb"UID (\d+)")
# What a lost or refused connection raises; anything else is a bug and is not retried quietly.
CONNECTION_ERRORS = (OSError, imaplib.IMAP4.error, ImapToolsError, ssl.SSLError, EOFError)


@dataclass(frozen=True)
class ImapAccount:
    """What connecting needs, read from the mailbox row at each connection."""

    mailbox_id: int
    host: str
    port: int
    tls: str
    user: str
    secret_ref: str
    folder: str


def account_for(db: Database, mailbox_id: int) -> ImapAccount | None:
    with db.session() as session:
        row = session.get(Mailbox, mailbox_id)
        if row is None or not row.active or not row.imap_host:
            return None
        if row.imap_tls not in IMAP_TLS_MODES:
            raise ValueError(f"imap_tls must be one of {', '.join(IMAP_TLS_MODES)}")
        default_port = 993 if row.imap_tls == "ssl" else 143
        return ImapAccount(
            mailbox_id=row.id,
            host=row.imap_host,
            port=row.imap_port or default_port,
            tls=row.imap_tls,
            user=row.imap_user or row.address,
            secret_ref=row.imap_secret_ref or "",
            folder=row.imap_folder or "INBOX",
        )


def connect(account: ImapAccount, timeout: float = 60.0) -> BaseMailBox:
    client: BaseMailBox
    if account.tls == "ssl":
        client = MailBox(account.host, account.port, timeout=timeout)
    elif account.tls == "starttls":
        client = MailBoxStartTls(account.host, account.port, timeout=timeout)
    else:
        client = MailBoxUnencrypted(account.host, account.port, timeout=timeout)
    return client.login(account.user, secret_for(account.secret_ref), initial_folder=account.folder)


def sync(db: Database, account: ImapAccount, client: BaseMailBox) -> int:
    """One pass: store what is above the last UID (all of it under a new UIDVALIDITY); the number
    of messages that were new to the intake."""
    status = client.folder.status(account.folder, ["UIDVALIDITY", "UIDNEXT"])
    uidvalidity = int(status["UIDVALIDITY"])
    with db.session() as session:
        row = session.get(Mailbox, account.mailbox_id)
        if row is None:
            return 0
        known_validity, last_uid = row.imap_uidvalidity, int(row.imap_last_uid or 0)
    if known_validity != uidvalidity:
        if known_validity is not None:
            log.warning(
                "mailbox %s: UIDVALIDITY %s became %s; reading %s again",
                account.mailbox_id,
                known_validity,
                uidvalidity,
                account.folder,
            )
        last_uid = 0
        _advance(db, account.mailbox_id, uidvalidity, 0)
    # "n:*" always matches the highest UID even when it is below n, hence the filter.
    pending = sorted(u for u in map(int, client.uids(f"UID {last_uid + 1}:*")) if u > last_uid)
    created = 0
    for start in range(0, len(pending), FETCH_BATCH):
        for uid, raw in _fetch(client, pending[start : start + FETCH_BATCH]):
            with db.session() as session:
                stored = store(session, mailbox_id=account.mailbox_id, raw=raw, source="imap")
                session.execute(
                    update(Mailbox)
                    .where(Mailbox.id == account.mailbox_id)
                    .values(imap_uidvalidity=uidvalidity, imap_last_uid=uid)
                )
            created += stored.created
    return created


def _advance(db: Database, mailbox_id: int, uidvalidity: int, last_uid: int) -> None:
    with db.session() as session:
        session.execute(
            update(Mailbox)
            .where(Mailbox.id == mailbox_id)
            .values(imap_uidvalidity=uidvalidity, imap_last_uid=last_uid)
        )


def _fetch(client: BaseMailBox, uids: list[int]) -> Iterator[tuple[int, bytes]]:
    """The exact bytes of each message, in UID order (imap-tools' own fetch re-parses them)."""
    typ, data = client.client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"FETCH answered {typ}")
    found: dict[int, bytes] = {}
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            match = _UID.search(item[0])
            if match:
                found[int(match.group(1))] = item[1]
    for uid in uids:
        if uid in found:  # a message expunged meanwhile is simply not there
            yield uid, found[uid]


class MailboxPoller:
    """One thread per polled mailbox: connect, sync, wait (IDLE or sleep), sync again; on a lost
    connection wait 1, 2, 4 ... seconds (capped) and connect again."""

    def __init__(
        self,
        db: Database,
        mailbox_id: int,
        on_stored: Callable[[], None] = lambda: None,
        *,
        idle_seconds: float = 20.0,
        poll_seconds: float = 30.0,
        backoff_max_seconds: float = 300.0,
    ) -> None:
        self.db = db
        self.mailbox_id = mailbox_id
        self.on_stored = on_stored
        self.idle_seconds = idle_seconds
        self.poll_seconds = poll_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.stopping = threading.Event()
        self.passes = 0  # completed syncs, for tests and logs
        self.synced = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"imap-{mailbox_id}", daemon=True)

    def start(self) -> MailboxPoller:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self.stopping.set()
        self._thread.join(timeout if timeout is not None else self.idle_seconds + 10)

    def wait_for_pass(self, after: int, timeout: float = 30.0) -> bool:
        """Until a sync that began after `after` completed passes has completed."""
        with self.synced:
            return self.synced.wait_for(lambda: self.passes > after + 1, timeout)

    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            try:
                account = account_for(self.db, self.mailbox_id)
                if account is None:
                    return  # no longer polled; the pollers' refresh starts it again if needed
                with connect(account) as client:
                    backoff = 1.0
                    self._serve(account, client)
            except (*CONNECTION_ERRORS, SecretError) as error:
                log.warning("mailbox %s: IMAP %s; again in %.0f s", self.mailbox_id, error, backoff)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, self.backoff_max_seconds)

    def _serve(self, account: ImapAccount, client: BaseMailBox) -> None:
        idle = "IDLE" in client.client.capabilities
        while not self.stopping.is_set():
            if sync(self.db, account, client):
                self.on_stored()
            with self.synced:
                self.passes += 1
                self.synced.notify_all()
            if idle:
                client.idle.wait(timeout=self.idle_seconds)
            else:
                self.stopping.wait(self.poll_seconds)


class ImapPollers:
    """The mail process's pollers: one per active mailbox with an IMAP host, started by
    `refresh` (called at start and on every reconcile pass, so a mailbox added later is picked
    up) and stopped together."""

    def __init__(self, db: Database, on_stored: Callable[[], None], **timing: float) -> None:
        self.db = db
        self.on_stored = on_stored
        self.timing = timing
        self.pollers: dict[int, MailboxPoller] = {}

    def refresh(self) -> None:
        with self.db.session() as session:
            wanted = set(
                session.scalars(
                    select(Mailbox.id).where(Mailbox.active, Mailbox.imap_host.is_not(None))
                )
            )
        for mailbox_id in wanted:
            poller = self.pollers.get(mailbox_id)
            if poller is None or not poller.alive():
                self.pollers[mailbox_id] = MailboxPoller(
                    self.db, mailbox_id, self.on_stored, **self.timing
                ).start()

    def stop(self) -> None:
        for poller in self.pollers.values():
            poller.stopping.set()
        for poller in self.pollers.values():
            poller.stop()
