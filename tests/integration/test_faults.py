"""The fault suite (bench/faults.py) at a small size: real web, router, worker and mail
processes killed with SIGKILL under load (email over SMTP in the mail scenario), Redis
restarted, agents' connections reset, and (with TEST_DATABASE_URL on PostgreSQL) a private
PostgreSQL cluster restarted. Each scenario must lose, duplicate, double-offer and strand
nothing; recovery times are printed, never asserted.

One platform serves every scenario but postgres (starting one takes a while on a loaded
machine); it always runs on a Valkey of its own, so restarting it touches no shared server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.faults_platform import postgres_binaries
from bench.faults_run import Run, Sizes
from bench.faults_scenarios import SCENARIOS, Skip

pytestmark = pytest.mark.slow

SMALL = Sizes(
    seconds=4.0,
    agents=4,
    calls_per_minute=45.0,
    tasks_per_second=2.0,
    emails_per_second=2.0,  # in the mail scenario
    talk_seconds=0.5,
    time_scale=8.0,
    outage_seconds=1.0,
    reconcile_seconds=4.0,  # callers dropped during the web outage are ended sooner
    drain_seconds=90.0,  # at most: drained runs go on at once
)
ZEROS = ("lost", "duplicated", "double_offered", "stuck_calls")
SHARED = [name for name in SCENARIOS if name != "postgres"]


def _emptied(url: str) -> str:
    """TEST_DATABASE_URL's database (the session migrated it) without an earlier test's rows:
    its queues and plans would be routed to as well."""
    import sqlalchemy as sa

    from contactcentre.store.models import Base

    engine = sa.create_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, _migrated_database: str) -> Iterator[Run]:
    """The suite's database is TEST_DATABASE_URL's when it is set, else SQLite of its own."""
    external = os.environ.get("TEST_DATABASE_URL")
    url = _emptied(_migrated_database) if external else None
    with Run(tmp_path_factory.mktemp("faults"), SMALL, database_url=url) as run:
        yield run


def _check(result: dict[str, Any]) -> None:
    shown = (*ZEROS, "recovery_s", "emails", "drained_s", "timing_s", "fault", "crashed")
    print(json.dumps({k: result.get(k) for k in shown}))
    problems = {key: result[key] for key in ZEROS if result[key]}
    assert not problems, json.dumps(result, indent=1, default=str)


@pytest.mark.parametrize("name", SHARED)
def test_scenario_loses_nothing(platform: Run, name: str) -> None:
    """Nothing lost, duplicated, offered twice at once or left stuck after the fault."""
    scenario = SCENARIOS[name]
    try:
        result = platform.scenario(
            name, scenario.inject, before_load=scenario.before_load, email=scenario.email
        )
    except Skip as why:
        pytest.skip(str(why))
    _check(result)


def test_postgresql_restart_loses_nothing(tmp_path: Path) -> None:
    """A private PostgreSQL cluster (never the machine's shared server) crashes and comes back
    under load: nothing lost, duplicated, offered twice or stuck."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL (the suite runs on SQLite)")
    if postgres_binaries() is None:
        pytest.skip(
            "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin for a private cluster"
        )
    with Run(tmp_path, SMALL, postgres=True) as run:
        _check(run.scenario("postgres", SCENARIOS["postgres"].inject))
