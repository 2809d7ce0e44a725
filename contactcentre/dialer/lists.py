"""CSV import of a campaign's lead list: streamed, validated per row, one transaction.

Each row's number is made E.164 (phonenumbers, the list's region) with its candidate zones;
duplicates within the file and across the campaign's lists are refused; score, consent and the
other columns (custom fields) are checked. all_or_nothing imports nothing if any row is bad;
skip_bad_rows imports the good rows. Either way every problem is reported (row, field, reason)
and kept on the import's record for the CSV error report.

kill -9 mid-import: the list and its leads are written in one transaction committed at the end,
so a killed import leaves no list and no lead (the whole list or none); run it again.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.dialer.phones import InvalidPhone, candidate_zones, to_e164
from contactcentre.store.models import Campaign, Lead, LeadImport, LeadList

BATCH = 500
MAX_REPORTED_ERRORS = 1000
MAX_CUSTOM_FIELDS = 50
MAX_CELL = 500
MAX_SCORE = 1_000_000.0
NUMBER_COLUMNS = ("number", "phone", "phone_number")
NAME_COLUMNS = ("first_name", "last_name")
KNOWN = frozenset({*NUMBER_COLUMNS, *NAME_COLUMNS, "score", "consent"})
TRUE, FALSE = frozenset({"1", "true", "yes", "y"}), frozenset({"0", "false", "no", "n", ""})

Progress = Callable[[int], None]


class ListFileError(ValueError):
    """The file as a whole cannot be read (no number column, not UTF-8, not CSV)."""

    code = "invalid_file"

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass(frozen=True)
class RowProblem:
    """row as a spreadsheet numbers it (header = 1)."""

    row: int
    field: str
    reason: str
    value: str = ""

    def record(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason, "value": self.value}


@dataclass
class _Outcome:
    rows_read: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problems_total: int = 0
    rows_with_problems: int = 0

    def add(self, problem: RowProblem) -> None:
        self.problems_total += 1
        if len(self.problems) < MAX_REPORTED_ERRORS:
            self.problems.append(problem)


@dataclass
class _Good:
    row: int
    number: str
    cells: dict[str, str]
    score: float
    consent: bool
    custom: dict[str, str]


def import_list(
    session: Session,
    campaign: Campaign,
    stream: IO[bytes],
    *,
    list_name: str,
    priority: int,
    skip_bad_rows: bool,
    region: str,
    filename: str = "",
    progress: Progress | None = None,
) -> LeadImport:
    """Import the CSV into a new list of `campaign`; returns the import's record.

    Rejected (all_or_nothing with a bad row, or no good row at all): the session is rolled back
    and only the rejected record is added. The caller commits. ListFileError for a file that
    cannot be read as a lead list (nothing is written then).
    """
    leads_list = LeadList(campaign_id=campaign.id, name=list_name, priority=priority)
    session.add(leads_list)
    session.flush()
    outcome = _Outcome()
    seen: dict[str, int] = {}  # number -> the row that had it first (numbers only: bounded)
    batch: list[_Good] = []
    for row, cells, extra in _rows(stream):
        outcome.rows_read += 1
        good = _validate(row, cells, extra, region=region, seen=seen, outcome=outcome)
        if good is None:
            continue
        batch.append(good)
        if len(batch) >= BATCH:
            _write(
                session, campaign, leads_list, batch, outcome=outcome, skip_bad_rows=skip_bad_rows
            )
            batch = []
            if progress is not None:
                progress(outcome.rows_read)
    _write(session, campaign, leads_list, batch, outcome=outcome, skip_bad_rows=skip_bad_rows)
    rejected = outcome.rows_with_problems > 0 and not skip_bad_rows
    rejected = rejected or outcome.imported == 0
    if rejected:
        session.rollback()
    record = LeadImport(
        campaign_id=campaign.id,
        list_id=None if rejected else leads_list.id,
        list_name=list_name,
        filename=filename[:255],
        mode="skip_bad_rows" if skip_bad_rows else "all_or_nothing",
        status="rejected" if rejected else "imported",
        rows_read=outcome.rows_read,
        imported=0 if rejected else outcome.imported,
        skipped=outcome.rows_with_problems,
        errors=[p.record() for p in sorted(outcome.problems, key=lambda p: p.row)],
        errors_total=outcome.problems_total,
    )
    session.add(record)
    session.flush()
    return record


def _rows(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str], list[str]]]:
    """(spreadsheet row, {column: cell}, cells past the header) for each non-blank row."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    row = 1
    try:
        header = next(reader, None)
        if header is None:
            raise ListFileError("the file is empty: a header row with a number column is needed")
        names = [h.strip().lower() for h in header]
        _check_header(names)
        for row, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            yield (
                row,
                dict(zip(names, (c.strip() for c in cells), strict=False)),
                cells[len(names) :],
            )
    except UnicodeDecodeError:
        raise ListFileError(f"the file is not UTF-8 text (at row {row + 1} or so)", row) from None
    except csv.Error as exc:
        raise ListFileError(f"row {row + 1} is not CSV: {exc}", row + 1) from None


def _check_header(names: list[str]) -> None:
    numbers = [n for n in names if n in NUMBER_COLUMNS]
    if not numbers:
        raise ListFileError(f"no number column: name one of {', '.join(NUMBER_COLUMNS)}", 1)
    if len(numbers) > 1 or len(set(names)) != len(names):
        raise ListFileError("a column name is repeated (or two number columns given)", 1)
    if any(not n for n in names):
        raise ListFileError("a column has no name in the header row", 1)
    if len([n for n in names if n not in KNOWN]) > MAX_CUSTOM_FIELDS:
        raise ListFileError(f"more than {MAX_CUSTOM_FIELDS} custom columns", 1)


def _validate(
    row: int,
    cells: dict[str, str],
    extra: list[str],
    *,
    region: str,
    seen: dict[str, int],
    outcome: _Outcome,
) -> _Good | None:
    problems: list[RowProblem] = []
    if any(c.strip() for c in extra):
        problems.append(RowProblem(row, "row", "more cells than the header has columns"))
    raw = next((cells[c] for c in NUMBER_COLUMNS if c in cells), "")
    number = ""
    if not raw:
        problems.append(RowProblem(row, "number", "no number"))
    else:
        try:
            number = to_e164(raw, region)
        except InvalidPhone as exc:
            problems.append(RowProblem(row, "number", exc.message, raw[:MAX_CELL]))
    if number and number in seen:
        problems.append(RowProblem(row, "number", f"repeats row {seen[number]}", number))
    score = _score(row, cells.get("score", ""), problems)
    consent = _consent(row, cells.get("consent", ""), problems)
    for name in (*NAME_COLUMNS, *(c for c in cells if c not in KNOWN)):
        if len(cells.get(name, "")) > (80 if name in NAME_COLUMNS else MAX_CELL):
            problems.append(RowProblem(row, name, "too long", cells[name][:40] + "..."))
    if number and number not in seen:
        seen[number] = row
    if problems:
        outcome.rows_with_problems += 1
        for problem in problems:
            outcome.add(problem)
        return None
    custom = {k: v for k, v in cells.items() if k not in KNOWN}
    return _Good(row, number, cells, score, consent, custom)


def _score(row: int, text: str, problems: list[RowProblem]) -> float:
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= MAX_SCORE):
        problems.append(RowProblem(row, "score", f"not a number from 0 to {MAX_SCORE:g}", text))
        return 0.0
    return value


def _consent(row: int, text: str, problems: list[RowProblem]) -> bool:
    value = text.lower()
    if value in TRUE:
        return True
    if value not in FALSE:
        problems.append(RowProblem(row, "consent", "not yes/no, true/false or 1/0", text[:40]))
    return False


def _write(
    session: Session,
    campaign: Campaign,
    leads_list: LeadList,
    batch: list[_Good],
    *,
    outcome: _Outcome,
    skip_bad_rows: bool,
) -> None:
    """Insert a batch, less numbers already in another list of the campaign (reported)."""
    if not batch:
        return
    taken = dict(
        session.execute(
            select(Lead.number, LeadList.name)
            .join(LeadList, Lead.list_id == LeadList.id)
            .where(Lead.campaign_id == campaign.id, Lead.number.in_([g.number for g in batch]))
        ).all()
    )
    fresh = []
    for good in batch:
        if good.number in taken:
            outcome.rows_with_problems += 1
            outcome.add(
                RowProblem(
                    good.row,
                    "number",
                    f"already in list {taken[good.number]!r} of this campaign",
                    good.number,
                )
            )
        else:
            fresh.append(good)
    if outcome.rows_with_problems and not skip_bad_rows:
        return  # nothing will be kept: validate the rest without writing
    session.add_all(
        Lead(
            campaign_id=campaign.id,
            list_id=leads_list.id,
            number=good.number,
            time_zones=list(candidate_zones(good.number)),
            first_name=good.cells.get("first_name", ""),
            last_name=good.cells.get("last_name", ""),
            score=good.score,
            consent=good.consent,
            custom=good.custom,
            source_row=good.row,
        )
        for good in fresh
    )
    session.flush()
    outcome.imported += len(fresh)


def error_report_csv(record: LeadImport) -> str:
    """The import's problems as CSV: row, field, reason, value (one line each)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "field", "reason", "value"])
    for problem in record.errors:
        writer.writerow([problem["row"], problem["field"], problem["reason"], problem["value"]])
    if record.errors_total > len(record.errors):
        writer.writerow(["", "", f"{record.errors_total - len(record.errors)} more not listed", ""])
    return out.getvalue()
