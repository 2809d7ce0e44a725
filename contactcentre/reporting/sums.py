"""Tallies summed by the database: one GROUP BY over an interval table (or report_contacts),
so a report over 30 days reads one row per group instead of every 15-minute row.

Sums of integer columns are exact, so a tally summed here equals the same rows added up one by
one in Python (routing/tally.py's Tally addition) to the millisecond.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from routing.metrics import Tally
from routing.tally import TALLY_FIELDS


def summed(
    session: Session,
    model: Any,
    keys: Sequence[Any],
    where: Sequence[ColumnElement[bool]],
) -> list[tuple[tuple[Any, ...], Tally]]:
    """Each group of `model`'s rows meeting `where`, by `keys`: the key values and the sum of
    the rows' tallies."""
    sums = [func.coalesce(func.sum(getattr(model, f)), 0) for f in TALLY_FIELDS]
    query = select(*keys, *sums).where(*where)
    if keys:
        query = query.group_by(*keys)
    found = []
    width = len(keys)
    for row in session.execute(query):
        # int(): PostgreSQL's SUM of a bigint is a numeric (a Decimal here).
        tally = Tally(**{f: int(v) for f, v in zip(TALLY_FIELDS, row[width:], strict=True)})
        found.append((tuple(row[:width]), tally))
    return found
