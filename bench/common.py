"""What the benchmarks share: a scratch Valkey, percentiles, a web process's start, the floor.

The application is imported inside the functions: the client processes a bench spawns import
this module too, and should start in a moment.
"""

from __future__ import annotations

import math
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from contactcentre.store.models import Agent, Queue

PASSWORD = "bench-password-1"  # every bench agent's; the benches sign in with cookies or tokens


@contextmanager
def scratch(bench: str) -> Iterator[tuple[Path, str]]:
    """A temporary directory with an embedded Valkey running in it: (the directory, Valkey's
    URL). Both are gone afterwards."""
    from contactcentre.platform.embedded_valkey import EmbeddedValkey

    work = Path(tempfile.mkdtemp(prefix=f"bench-{bench}-"))
    valkey = EmbeddedValkey(work / "valkey", persistent=False)
    try:
        yield work, valkey.start()
    finally:
        valkey.stop()
        shutil.rmtree(work, ignore_errors=True)


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank `p`th percentile (0 < p <= 100): the least value that at least p% of
    `values` are at or below."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered) / 100) - 1))]


def free_port() -> int:
    """A loopback TCP port nothing listens on now, for a web process to bind."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_web(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Return once the web process at `url` serves its sign-in page; fail if it exits first."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web process for {url} exited during start-up")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the web process at {url} did not start within {timeout:g} s")


@contextmanager
def floor(
    database_url: str, queue_name: str, agents: int, **agent_columns: Any
) -> Iterator[tuple[Session, Queue, list[Agent]]]:
    """Migrate, then a queue anyone may answer, whose offers ring until answered and never
    sign an agent out for missing them, and `agents` agents; yields the open session for the
    bench's own rows, and commits them all on leaving."""
    from contactcentre.auth.users import hash_password
    from contactcentre.store.db import Database
    from contactcentre.store.migrate import upgrade
    from tests.builders import add_agents, add_queue

    upgrade(database_url)
    db = Database(database_url)
    try:
        with db.session() as session:
            queue = add_queue(session, queue_name, offer_timeout_seconds=600, max_missed_offers=0)
            hashed = hash_password(PASSWORD)  # one hash for all: Argon2 is slow on purpose
            yield session, queue, add_agents(session, agents, password_hash=hashed, **agent_columns)
    finally:
        db.dispose()


def session_cookies(env: dict[str, str], user_ids: list[int]) -> list[str]:
    """Signed Flask session cookies, as a sign-in would set them (1,000 Argon2 checks skipped):
    each names a login recorded as the login page records it, since a bare user id is refused."""
    from flask import Flask

    from contactcentre.auth.logins import start_web_login
    from contactcentre.store.db import Database
    from contactcentre.store.models import User

    app = Flask(__name__)
    app.secret_key = env["CC_SECRET_KEY"]
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    db = Database(env["CC_DATABASE_URL"])
    try:
        with db.session() as session:
            keys = []
            for uid in user_ids:
                user = session.get(User, uid)
                assert user is not None, uid
                keys.append(start_web_login(session, user, user_agent="bench", address="127.0.0.1"))
            session.commit()
    finally:
        db.dispose()
    return [serializer.dumps({"_user_id": key, "_fresh": True}) for key in keys]


def sign_in_agents(env: dict[str, str], agent_ids: list[int]) -> None:
    """Every agent available through the real RoutingClient; waits until routing says so."""
    import redis

    from contactcentre.router.client import RoutingClient
    from contactcentre.store.db import Database
    from contactcentre.store.models import Agent

    db = Database(env["CC_DATABASE_URL"])
    routing = RoutingClient(redis.Redis.from_url(env["CC_REDIS_URL"], decode_responses=True))
    with db.session() as session:
        for agent_id in agent_ids:
            agent = session.get(Agent, agent_id)
            assert agent is not None
            routing.set_agent_state(agent, "available", None)
    db.dispose()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = [routing.agent_state(a)["state"] for a in agent_ids[-5:]]
        if all(s == "available" for s in states):
            return
        time.sleep(0.2)
    raise RuntimeError("agents never became available")
