"""The 15-minute interval tables, each the sum of report_contacts' tallies grouped by its
dimensions: re-summed whole for every interval a contact entered or left, never patched, so
an interval's rows are always exactly the sum of its contacts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from contactcentre.store.models.reporting import (
    ReportAgentInterval,
    ReportChannelInterval,
    ReportContact,
    ReportDispositionInterval,
    ReportQueueInterval,
)
from routing.tally import TALLY_FIELDS


@dataclass(frozen=True)
class IntervalTable:
    """One roll-up: its model, its dimensions (report_contacts' columns of the same names) and
    which contacts it counts."""

    model: Any
    dimensions: tuple[str, ...]
    counts: ColumnElement[bool] | None = None


TABLES = (
    IntervalTable(ReportQueueInterval, ("queue_id", "channel", "campaign_id")),
    IntervalTable(
        ReportAgentInterval, ("agent_id", "channel"), ReportContact.agent_id.is_not(None)
    ),
    IntervalTable(ReportChannelInterval, ("channel", "campaign_id")),
    IntervalTable(
        ReportDispositionInterval,
        ("queue_id", "channel", "disposition"),
        ReportContact.disposition.is_not(None),
    ),
)


Starts = Callable[[Any], ColumnElement[bool]]  # an interval_start column -> which starts


def resum(session: Session, starts: Collection[datetime]) -> None:
    """Rebuild every interval table's rows of these interval starts from report_contacts."""
    chunked = sorted(starts)
    for index in range(0, len(chunked), 500):
        _resum(session, _among(chunked[index : index + 500]))


def _among(part: list[datetime]) -> Starts:
    def among(column: Any) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = column.in_(part)
        return condition

    return among


def resum_range(session: Session, start: datetime | None, end: datetime | None) -> None:
    """Rebuild every interval table's rows with a start in [start, end) (None: unbounded)."""

    def within(column: Any) -> ColumnElement[bool]:
        condition: ColumnElement[bool] = column.is_not(None)
        if start is not None:
            condition = condition & (column >= start)
        if end is not None:
            condition = condition & (column < end)
        return condition

    _resum(session, within)


def _resum(session: Session, starts: Starts) -> None:
    for table in TABLES:
        session.execute(delete(table.model).where(starts(table.model.interval_start)))
        dims = [_column(ReportContact, d) for d in table.dimensions]
        sums = [func.sum(_column(ReportContact, f)) for f in TALLY_FIELDS]
        query = select(ReportContact.interval_start, *dims, *sums).where(
            starts(ReportContact.interval_start)
        )
        if table.counts is not None:
            query = query.where(table.counts)
        query = query.group_by(ReportContact.interval_start, *dims)
        columns = ["interval_start", *table.dimensions, *TALLY_FIELDS]
        session.execute(insert(table.model.__table__).from_select(columns, query))


def _column(model: Any, name: str) -> InstrumentedAttribute[Any]:
    column: InstrumentedAttribute[Any] = getattr(model, name)
    return column
