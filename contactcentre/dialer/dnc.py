"""Do-not-call entries in SQL: the DncLookup eligibility asks, adding numbers, national imports.

A number added here is suppressed from that commit on: eligibility reads these rows for every
decision, and the hopper drops the number's leads at once (hopper.drop_numbers after commit).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.dialer.phones import InvalidPhone, to_e164
from contactcentre.store.models import DncEntryRow
from contactcentre.store.types import utcnow
from routing.dialer.suppression import DncEntry, DncScope, DoNotCallList

BATCH = 500
MAX_REPORTED_ERRORS = 1000


def list_key(scope: DncScope, campaign_id: int | None) -> str:
    return f"campaign:{campaign_id}" if scope is DncScope.CAMPAIGN else str(scope)


def as_entry(row: DncEntryRow) -> DncEntry:
    return DncEntry(
        row.number,
        DncScope(row.scope),
        None if row.campaign_id is None else str(row.campaign_id),
        row.added_at,
        row.source,
    )


class SqlDncLookup:
    """routing.dialer.suppression.DncLookup over the dnc_entries table, one query a number."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def matches(self, number: str, campaign_id: str) -> tuple[DncEntry, ...]:
        rows = self._session.scalars(select(DncEntryRow).where(DncEntryRow.number == number))
        return tuple(e for e in map(as_entry, rows) if e.applies_to(campaign_id))


def preloaded(session: Session, numbers: Iterable[str]) -> DoNotCallList:
    """The entries of `numbers` read in batches, as an in-memory lookup (the hopper's refill)."""
    wanted = sorted(set(numbers))
    entries: list[DncEntry] = []
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        rows = session.scalars(select(DncEntryRow).where(DncEntryRow.number.in_(chunk)))
        entries += map(as_entry, rows)
    return DoNotCallList.of(entries)


def add_number(
    session: Session, number: str, scope: DncScope, campaign_id: int | None, source: str
) -> bool:
    """Put `number` (E.164) on a list; False if it was there already. The caller commits."""
    key = list_key(scope, campaign_id)
    existing = session.scalars(
        select(DncEntryRow.id).where(DncEntryRow.number == number, DncEntryRow.list_key == key)
    ).first()
    if existing is not None:
        return False
    session.add(
        DncEntryRow(
            number=number,
            scope=str(scope),
            campaign_id=campaign_id if scope is DncScope.CAMPAIGN else None,
            list_key=key,
            source=source[:200],
            added_at=utcnow(),
        )
    )
    session.flush()
    return True


@dataclass
class DncImport:
    """A DNC file's outcome: numbers added, already listed, and the rows that were not numbers."""

    added: int = 0
    already_listed: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)
    errors_total: int = 0
    added_numbers: list[str] = field(default_factory=list)


def import_dnc_csv(
    session: Session,
    stream: IO[bytes],
    *,
    scope: DncScope,
    campaign_id: int | None,
    region: str,
    source: str,
) -> DncImport:
    """Numbers from a CSV (a `number` or `phone` column, or the first column) onto a list.

    Streamed row by row; bad rows are reported, good ones added (a registry file is used as it
    is: a bad line must not keep the good numbers off the list). One transaction: the caller
    commits, so a kill mid-way adds none of it and the import is simply run again.
    """
    report = DncImport()
    for row, raw in _numbers(stream):
        try:
            number = to_e164(raw, region)
        except InvalidPhone as exc:
            report.errors_total += 1
            if len(report.errors) < MAX_REPORTED_ERRORS:
                report.errors.append({"row": row, "field": "number", "reason": exc.message})
            continue
        if add_number(session, number, scope, campaign_id, source):
            report.added += 1
            report.added_numbers.append(number)
        else:
            report.already_listed += 1
    return report


def _numbers(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        return
    names = [h.strip().lower() for h in header]
    column = next((names.index(n) for n in ("number", "phone", "phone_number") if n in names), None)
    first_row = 2
    if column is None:
        # No header: the first line is already a number.
        column = 0
        if header and header[0].strip():
            yield 1, header[0].strip()
    for index, cells in enumerate(reader, start=first_row):
        if column < len(cells) and cells[column].strip():
            yield index, cells[column].strip()
