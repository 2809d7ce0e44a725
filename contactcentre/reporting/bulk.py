"""Writing many report rows at once: PostgreSQL's COPY, else one executemany, inside the
caller's transaction (so a kill -9 mid-write keeps none of them, like any other statement).

A rebuild writes one report_contacts row per contact of the whole log; row-at-a-time INSERTs
were most of its time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session


def write_rows(session: Session, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys, each a column of `table`, a Table such as a
    model's __table__) into `table`."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    unknown = [name for name in names if name not in table.c]
    if unknown:  # checked here: COPY's text would take any name it is given
        raise KeyError(f"{table.name} has no column {unknown[0]!r}")
    columns = ", ".join(f'"{name}"' for name in names)
    driver = connection.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row([row[name] for name in names])
