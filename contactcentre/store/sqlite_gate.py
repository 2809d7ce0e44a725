"""One writer at a time per process on a SQLite file, queued on a lock instead of SQLite's polling.

SQLite lets one connection write at a time. Its busy handler makes every other writer sleep and
retry (1, 2, 5 … then every 100 ms), and the retries are unfair: with a few dozen web threads
writing chat messages, a writer can lose the race for many seconds while the database is idle
between retries, and a web process and the router each wait up to 100 ms at a time for the
other. A lock taken before the first write of a transaction and released after its commit or
rollback queues those writers instead: a thread lock within the process, then an advisory lock
on a file beside the database across processes (polled every few milliseconds; the kernel
drops it if its process dies).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from typing import Any

_WRITES = ("insert", "update", "delete", "replace", "create", "drop", "alter")


_POLL_FIRST, _POLL_MAX = 0.0005, 0.004  # seconds between tries for another process's lock


class WriterGate:
    """The lock the connections to one SQLite file share: across threads, and across processes
    when `lock_path` is given."""

    def __init__(self, timeout: float, lock_path: str | None = None) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None  # thread id of the connection holding it
        self._lock_path = lock_path
        self._fd: int | None = None
        self._pid: int | None = None  # a forked child opens its own descriptor
        self._file_held = False
        self.timeout = timeout

    def enter(self) -> bool:
        """Wait for the gate; False if this thread holds it already (on another connection, as
        a hook after a commit may) or the wait timed out: SQLite's busy handler then decides,
        as it would without the gate."""
        me = threading.get_ident()
        if self._owner == me:
            return False
        deadline = time.monotonic() + self.timeout
        if not self._lock.acquire(timeout=self.timeout):
            return False
        self._owner = me
        self._file_held = self._lock_file(deadline)
        return True

    def leave(self) -> None:
        if self._file_held and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._file_held = False
        self._owner = None
        self._lock.release()

    def _lock_file(self, deadline: float) -> bool:
        if self._lock_path is None:
            return False
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        pause = _POLL_FIRST
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, _POLL_MAX)


def gated_connection_class(gate: WriterGate) -> type[sqlite3.Connection]:
    """A sqlite3 connection class (for `sqlite3.connect(factory=...)`) whose cursors pass the
    gate before their transaction's first write and release it once the transaction ends."""

    class GatedCursor(sqlite3.Cursor):
        def execute(self, sql: str, parameters: Any = (), /) -> Any:
            self.connection._pass_gate(sql)  # type: ignore[attr-defined]
            try:
                return super().execute(sql, parameters)
            finally:
                self.connection._release_if_done()  # type: ignore[attr-defined]

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
            self.connection._pass_gate(sql)  # type: ignore[attr-defined]
            try:
                return super().executemany(sql, seq_of_parameters)
            finally:
                self.connection._release_if_done()  # type: ignore[attr-defined]

    class GatedConnection(sqlite3.Connection):
        _holding = False

        def cursor(self, factory: Any = GatedCursor) -> Any:
            return super().cursor(factory)

        # The connection's own shortcuts make their cursor in C, past `cursor()` above.
        def execute(self, sql: str, parameters: Any = (), /) -> Any:
            return self.cursor().execute(sql, parameters)

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
            return self.cursor().executemany(sql, seq_of_parameters)

        def _pass_gate(self, sql: str) -> None:
            if not self._holding and sql.lstrip()[:7].lower().startswith(_WRITES):
                self._holding = gate.enter()

        def _release_if_done(self) -> None:
            # Autocommit statements (DDL, writes outside a transaction) end at once.
            if self._holding and not self.in_transaction:
                self._holding = False
                gate.leave()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self._release_if_done()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._release_if_done()

        def close(self) -> None:
            try:
                super().close()
            finally:
                if self._holding:
                    self._holding = False
                    gate.leave()

    return GatedConnection
