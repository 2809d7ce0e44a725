"""The SQLite writer gate: writers queue on it within a process and across processes, instead of
failing with "database is locked" or polling SQLite's busy handler."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from contactcentre.store.db import Database
from contactcentre.store.sqlite_gate import WriterGate, gated_connection_class


def _connect(path: Path, gate: WriterGate, busy_timeout: float = 5) -> sqlite3.Connection:
    # The busy timeout stays for SQLite's brief reader and checkpoint locks.
    return sqlite3.connect(
        path, timeout=busy_timeout, factory=gated_connection_class(gate), check_same_thread=False
    )


class CountingGate(WriterGate):
    """A gate that remembers how many writers were ever inside it at once."""

    def __init__(self, timeout: float, lock_path: str | None) -> None:
        super().__init__(timeout, lock_path)
        self.inside = self.most_inside = 0
        self._count = threading.Lock()

    def enter(self) -> bool:
        entered = super().enter()
        if entered:
            with self._count:
                self.inside += 1
                self.most_inside = max(self.most_inside, self.inside)
        return entered

    def leave(self) -> None:
        with self._count:
            self.inside -= 1
        super().leave()


def _table(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS tally (writer TEXT, n INTEGER)")


def test_threads_queue_on_the_gate_one_transaction_at_a_time_and_every_write_lands(
    tmp_path: Path,
) -> None:
    """Eight threads writing two-statement transactions pass the gate one at a time."""
    path = tmp_path / "gate.sqlite3"
    _table(path)
    gate = CountingGate(5.0, str(path) + ".writer-lock")
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        conn = _connect(path, gate)
        try:
            for n in range(40):
                conn.execute("INSERT INTO tally VALUES (?, ?)", (name, n))
                conn.execute("UPDATE tally SET n = n WHERE writer = ? AND n = ?", (name, n))
                conn.commit()
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert gate.most_inside == 1 and gate.inside == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM tally").fetchone() == (8 * 40,)


def _hold_then_commit(path: str, holding: Any, release: Any, finish: Any) -> None:
    gate = WriterGate(5.0, path + ".writer-lock")
    conn = _connect(Path(path), gate)
    conn.execute("INSERT INTO tally VALUES ('first', 1)")
    holding.set()
    release.wait(10)
    conn.commit()
    # Closing the last connection checkpoints the WAL under an exclusive lock: not while the
    # other writer, with no busy timeout, is at work.
    finish.wait(10)
    conn.close()


def test_a_writer_in_another_process_waits_for_the_gate_then_writes(tmp_path: Path) -> None:
    """A second process's write waits for the first process's open transaction, then lands."""
    path = tmp_path / "gate.sqlite3"
    _table(path)
    ctx = mp.get_context("spawn")
    holding, release, finish = ctx.Event(), ctx.Event(), ctx.Event()
    first = ctx.Process(target=_hold_then_commit, args=(str(path), holding, release, finish))
    first.start()
    try:
        assert holding.wait(20), "the first process never opened its transaction"
        gate = WriterGate(5.0, str(path) + ".writer-lock")
        conn = _connect(path, gate)
        done = threading.Event()

        def second() -> None:
            conn.execute("INSERT INTO tally VALUES ('second', 2)")
            conn.commit()
            done.set()

        thread = threading.Thread(target=second)
        thread.start()
        assert not done.wait(0.3), "the second writer did not wait for the first's transaction"
        # It waits on the other process's lock file, not in SQLite's busy handler.
        assert gate._owner == thread.ident and not gate._file_held
        release.set()
        thread.join(10)
        assert done.is_set()
        conn.close()
    finally:
        release.set()
        finish.set()
        first.join(10)
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT writer FROM tally ORDER BY rowid").fetchall()
    assert rows == [("first",), ("second",)]


def test_rollback_and_close_release_the_gate(tmp_path: Path) -> None:
    """A transaction that rolls back, or a connection closed mid-transaction, frees the gate."""
    path = tmp_path / "gate.sqlite3"
    _table(path)
    gate = WriterGate(0.5, None)
    conn = _connect(path, gate)
    conn.execute("INSERT INTO tally VALUES ('a', 1)")
    conn.rollback()
    conn.execute("INSERT INTO tally VALUES ('b', 2)")
    conn.close()
    other = _connect(path, gate)
    other.execute("INSERT INTO tally VALUES ('c', 3)")
    other.commit()
    other.close()
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT writer FROM tally").fetchall() == [("c",)]


def test_a_thread_holding_the_gate_is_not_blocked_by_it_on_a_second_connection(
    tmp_path: Path,
) -> None:
    """A thread writing on two connections at once meets SQLite's own lock, not a hang."""
    path = tmp_path / "gate.sqlite3"
    _table(path)
    gate = WriterGate(30.0, None)
    first, second = _connect(path, gate), _connect(path, gate, busy_timeout=0.1)
    first.execute("INSERT INTO tally VALUES ('a', 1)")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        second.execute("INSERT INTO tally VALUES ('b', 2)")
    first.commit()
    second.rollback()
    first.close()
    second.close()


def test_the_database_handle_gates_sqlite_and_syncs_normally(tmp_path: Path) -> None:
    """Database() puts SQLite connections behind a gate with a lock file beside the database."""
    db = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        # 1 = NORMAL: WAL syncs at checkpoints, not on every commit.
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1
    assert (tmp_path / "app.sqlite3.writer-lock").exists()
    db.dispose()
