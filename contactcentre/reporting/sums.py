"""Tallies summed by the database: one GROUP BY over an interval table (or report_contacts),
so a report over 30 days reads one row per group instead of every 15-minute row.

Sums of integer columns are exact, so a tally summed here equals the same rows added up one by
one in Python (routing/tally.py's Tally addition) to the millisecond.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, cast, func, select
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
    width = len(keys)
    return [
        (tuple(row[:width]), Tally(**dict(zip(TALLY_FIELDS, row[width:], strict=True))))
        for row in session.connection().execute(_query(model, keys, where))
    ]


def summed_by(
    session: Session,
    model: Any,
    column: Any,
    key: Callable[[Any], str],
    where: Sequence[ColumnElement[bool]],
) -> dict[str, Tally]:
    """The tallies of `model`'s rows meeting `where`, summed by the database per value of
    `column`, then per `key(value)` here (e.g. 15-minute intervals into local days: a zone's
    day is not something every database can compute)."""
    totals: dict[str, list[int]] = {}
    for row in session.connection().execute(_query(model, [column], where)):
        name = key(row[0])
        into = totals.get(name)
        if into is None:
            totals[name] = list(row[1:])
        else:
            for index, value in enumerate(row[1:]):
                into[index] += value
    return {
        name: Tally(**dict(zip(TALLY_FIELDS, values, strict=True)))
        for name, values in totals.items()
    }


def _query(model: Any, keys: Sequence[Any], where: Sequence[ColumnElement[bool]]) -> Any:
    # Cast back to a bigint: PostgreSQL's SUM of a bigint is a numeric (a Decimal in Python).
    sums = [cast(func.coalesce(func.sum(getattr(model, f)), 0), BigInteger) for f in TALLY_FIELDS]
    query = select(*keys, *sums).where(*where)
    return query.group_by(*keys) if keys else query
