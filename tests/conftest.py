"""Shared fixtures: a real Valkey/Redis and a real migrated database for integration tests.

Set TEST_DATABASE_URL / TEST_REDIS_URL to run the same tests on PostgreSQL and a real Redis.
Under pytest-xdist (`-n 2`) each worker gets its own: an embedded Valkey each, and on external
servers a database of its own (`test_gw0`, ...) and a Redis logical database of its own.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from contactcentre.platform.embedded_valkey import EmbeddedValkey
from contactcentre.settings import Settings
from contactcentre.store.db import Database
from contactcentre.store.migrate import upgrade
from contactcentre.store.models import Base


def _worker_index() -> int | None:
    """This pytest-xdist worker's number (gw0 -> 0), or None when not run under xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def _redis_for_worker(url: str, index: int | None) -> str:
    """The worker's own logical database below the one named (db 15 -> 15, 14, ...): every
    test flushes its database, which must not wipe another worker's test mid-way."""
    if index is None:
        return url
    base, _, db = url.rpartition("/")
    number = int(db) if db.isdigit() else 0
    if number - index < 0:
        raise pytest.UsageError(f"TEST_REDIS_URL's db {number} leaves none for worker {index}")
    return f"{base}/{number - index}"


def _database_for_worker(url: str, index: int | None) -> str:
    """The worker's own PostgreSQL database beside the one named (test -> test_gw0), created
    once: each test truncates every table, which must not empty another worker's."""
    if index is None:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_gw{index}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(autouse=True, scope="session")
def _own_socketio_channel() -> Iterator[None]:
    """Pub/sub ignores logical databases: workers sharing one external Redis each get their own
    Socket.IO channel, in the environment so the processes tests start inherit it too."""
    index = _worker_index()
    if index is None or not os.environ.get("TEST_REDIS_URL"):
        yield
        return
    patch = pytest.MonkeyPatch()
    patch.setenv("CC_SOCKETIO_CHANNEL", f"cc-socketio-gw{index}")
    yield
    patch.undo()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Valkey for the whole run (or the Redis named by TEST_REDIS_URL)."""
    external = os.environ.get("TEST_REDIS_URL")
    if external:
        yield _redis_for_worker(external, _worker_index())
        return
    server = EmbeddedValkey(tmp_path_factory.mktemp("valkey"), persistent=False)
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A clean Redis database for one test."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def _migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per run: a template SQLite file, or the PostgreSQL test database."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        external = _database_for_worker(external, _worker_index())
        engine = sa.create_engine(external)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        upgrade(external)
        return external
    template = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{template}")
    return str(template)


@pytest.fixture
def database_url(_migrated_database: str, tmp_path: Path) -> str:
    """A migrated, empty database for one test."""
    if "://" in _migrated_database:
        engine = sa.create_engine(_migrated_database)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            # TRUNCATE skips the row-level append-only triggers that forbid DELETE.
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return _migrated_database
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(_migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_url: str) -> Settings:
    """Settings for one test: its own instance dir, database and the shared Redis."""
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key",
        processes=[],
        login_rate_limit="1000 per minute",
        gc_freeze=False,
    )


@pytest.fixture(autouse=True, scope="session")
def _quick_websocket_close() -> Iterator[None]:
    """Test clients hang up in 0.2 s, not 3.

    python-socketio's client closes its websocket with websocket-client's `close()`, which waits
    up to 3 s for the server's close frame, a frame the client's own reader thread may already
    have taken. Every test with a socket paid those 3 s in its teardown.
    """
    import websocket

    original = websocket.WebSocket.close

    def close(
        self: websocket.WebSocket,
        status: int = websocket.STATUS_NORMAL,
        reason: bytes = b"",
        timeout: float = 0.2,
    ) -> None:
        original(self, status, reason, timeout)

    patch = pytest.MonkeyPatch()
    patch.setattr(websocket.WebSocket, "close", close)
    yield
    patch.undo()
