"""Fixtures for customer integration tests: settings without Redis and a committed session.

The services never commit, so each test's session commits at the end like a request would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from contactcentre.settings import Settings
from contactcentre.store.db import Database


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for one test; these services need no Redis, so none is started."""
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=database_url,
        secret_key="test-secret-key",
        processes=[],
        default_phone_region="GB",
    )


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """One unit of work, committed at the end of the test like a request would be."""
    with database.session() as session:
        yield session
