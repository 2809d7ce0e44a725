"""The database handle: one engine and session factory per process, no Flask required.

Web requests get a scoped session removed at teardown; other processes use `session()` blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from contactcentre.store.sqlite_gate import WriterGate, gated_connection_class

SQLITE_BUSY_SECONDS = 30


class Database:
    """Owns the engine; hands out sessions bound to it."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        options: dict[str, Any] = {"pool_pre_ping": True, "future": True}
        if url.startswith("sqlite"):
            # Threads share the file database (web threads, the test client's background threads).
            gate = WriterGate(SQLITE_BUSY_SECONDS, _lock_path(url))
            options["connect_args"] = {
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_SECONDS,
                "factory": gated_connection_class(gate),
            }
            # A web process serves hundreds of threads (one per websocket) and a request may
            # briefly hold two connections (a hook after commit); SQLite connections are cheap,
            # and a pool smaller than the threads can starve every request at once. Kept open,
            # not churned: a new connection costs its pragmas, and switching to WAL waits for
            # the file's lock. A file on this machine needs no liveness ping either.
            options.update(pool_size=200, max_overflow=200, pool_pre_ping=False)
        options.update(engine_options)
        self.engine: Engine = create_engine(url, **options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.scoped = scoped_session(self.session_factory)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.scoped.remove()
        self.engine.dispose()


def insert_for(dialect: str) -> Any:
    """The dialect's INSERT construct, the one with ON CONFLICT (PostgreSQL, else SQLite)."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


def _lock_path(url: str) -> str | None:
    """The writer lock file beside a SQLite database file (none for an in-memory database)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}.writer-lock"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while the router writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    # In WAL mode NORMAL syncs at checkpoints, not on every commit: a commit survives the
    # process crashing (the router's kill -9 tests), only an OS crash or power cut may undo the
    # last ones. The embedded default is for one machine; PostgreSQL is the durable store.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
