"""contactcentre.errors: a broken unique constraint becomes a 409 naming the field, per driver."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

from sqlalchemy.exc import IntegrityError

from contactcentre.errors import duplicate_from


def _integrity(orig: object) -> IntegrityError:
    return IntegrityError("INSERT ...", {}, orig)  # type: ignore[arg-type]


def test_sqlite_unique_violation_names_the_last_column() -> None:
    """SQLite's 'UNIQUE constraint failed: t.a, t.b' names b, scoped by a."""
    orig = sqlite3.IntegrityError(
        "UNIQUE constraint failed: interactions.channel, interactions.external_id"
    )
    error = duplicate_from(_integrity(orig))
    assert error is not None
    assert (error.status, error.code, error.field) == (409, "duplicate", "external_id")
    assert "channel and external_id" in error.message


def test_postgresql_unique_violation_names_the_column() -> None:
    """PostgreSQL's SQLSTATE 23505 detail 'Key (email)=(...) already exists.' names email."""
    orig = SimpleNamespace(
        sqlstate="23505",
        diag=SimpleNamespace(message_detail="Key (email)=(ada@example.com) already exists."),
    )
    error = duplicate_from(_integrity(orig))
    assert error is not None
    assert (error.status, error.field) == (409, "email")


def test_other_integrity_errors_are_not_duplicates() -> None:
    """A NOT NULL or foreign key failure is a bug to see, not a client's duplicate."""
    not_null = sqlite3.IntegrityError("NOT NULL constraint failed: interactions.channel")
    assert duplicate_from(_integrity(not_null)) is None
    assert duplicate_from(_integrity(SimpleNamespace(sqlstate="23503", diag=None))) is None
