"""Bulk import of customers from a CSV file: all rows or nothing, or good rows only on request.

Every row is validated like an API create (CustomerIn, E.164 phones, duplicates) before any insert.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from pydantic import ValidationError
from sqlalchemy.orm import Session

from contactcentre.customers.contacts import Email, Phone, normalize_emails, normalize_phones
from contactcentre.customers.duplicates import account_number_owners, email_owners, phone_owners
from contactcentre.customers.errors import CustomerFieldError, InvalidPhone
from contactcentre.customers.phones import normalize_phone
from contactcentre.customers.problems import describe_errors
from contactcentre.customers.records import build_customer
from contactcentre.customers.schemas import CustomerIn
from contactcentre.customers.value_history import record_new
from contactcentre.settings import Settings

# Header name -> CustomerIn field; phones and emails are flattened into numbered columns.
PROFILE_COLUMNS = tuple(
    name for name in CustomerIn.model_fields if name not in {"phones", "emails"}
)
PHONE_COLUMNS = ("phone", "phone2")
EMAIL_COLUMNS = ("email", "email2")
IDENTITY_COLUMNS = frozenset({"first_name", "last_name", *PHONE_COLUMNS, *EMAIL_COLUMNS})
ALL_COLUMNS = (*PROFILE_COLUMNS, *PHONE_COLUMNS, *EMAIL_COLUMNS)
_DECIMAL_COLUMNS = frozenset(
    {"average_purchase_value", "purchases_per_year", "relationship_years", "average_bill",
     "account_balance"}
)  # fmt: skip
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d{1,2}$")
MAX_REPORTED_ERRORS = 1000
FLUSH_EVERY = 500


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as a spreadsheet numbers it (header = 1), None for the whole file."""

    row: int | None
    column: str | None
    message: str
    value: str | None = None
    existing_customer_id: int | None = None


@dataclass
class ImportReport:
    """`imported + skipped` is the number of non-blank data rows read."""

    imported: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)


class _FileProblem(Exception):
    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.error = RowError(row, column, message)


@dataclass
class _Candidate:
    row: int
    cells: dict[str, str]
    data: CustomerIn
    phones: list[Phone]
    emails: list[Email]


def import_csv(
    session: Session,
    stream: TextIO | BinaryIO | bytes | str,
    settings: Settings,
    *,
    skip_bad_rows: bool = False,
    max_rows: int = 50_000,
) -> ImportReport:
    """Validate the whole file, then insert; with any error nothing is inserted unless
    `skip_bad_rows`, which inserts the good rows and reports the bad ones."""
    try:
        rows = _read_rows(_decode(stream), max_rows)
    except _FileProblem as problem:
        return ImportReport(errors=[problem.error])

    errors: list[RowError] = []
    candidates = []
    for row, cells in rows:
        candidate = _validate_row(row, cells, settings.default_phone_region, errors)
        if candidate is not None:
            candidates.append(candidate)
    good = _drop_duplicates(session, candidates, errors)
    errors.sort(key=lambda e: (e.row or 0, ALL_COLUMNS.index(e.column) if e.column else -1))

    to_import = good if (skip_bad_rows or not errors) else []
    built = []
    for i, candidate in enumerate(to_import, start=1):
        customer = build_customer(candidate.data, candidate.phones, candidate.emails, settings)
        session.add(customer)
        built.append(customer)
        if i % FLUSH_EVERY == 0:
            session.flush()
    session.flush()
    record_new(session, built)  # their CLV history starts in this transaction
    return ImportReport(
        imported=len(to_import), skipped=len(rows) - len(to_import), errors=_capped(errors)
    )


def _capped(errors: list[RowError]) -> list[RowError]:
    if len(errors) <= MAX_REPORTED_ERRORS:
        return errors
    hidden = len(errors) - MAX_REPORTED_ERRORS
    return [
        *errors[:MAX_REPORTED_ERRORS],
        RowError(None, None, f"{hidden} more errors not listed; fix the ones above first"),
    ]


def _decode(stream: TextIO | BinaryIO | bytes | str) -> str:
    try:
        data = stream if isinstance(stream, bytes | str) else stream.read()
    except UnicodeDecodeError as exc:
        raise _FileProblem(_not_utf8(exc)) from None
    if isinstance(data, bytes):
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _FileProblem("file is UTF-16 text; save it as 'CSV UTF-8' and upload it again")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _FileProblem(_not_utf8(exc)) from None
    return data.removeprefix("\ufeff")  # a BOM left by a text stream opened as plain utf-8


def _not_utf8(exc: UnicodeDecodeError) -> str:
    byte = exc.object[exc.start]
    return (
        f"file is not UTF-8 text (byte 0x{byte:02x} at offset {exc.start}); "
        "save it as 'CSV UTF-8' and upload it again"
    )


def _delimiter(header_line: str) -> str:
    # Counted on the header line, whose names never contain a delimiter, rather than with
    # csv.Sniffer over data rows, where a "Smith, Jr." or a "12,50" can mislead the guess.
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_rows(text: str, max_rows: int) -> list[tuple[int, dict[str, str]]]:
    if not text.strip():
        raise _FileProblem(
            "file is empty; expected a header row such as first_name,last_name,phone"
        )
    delimiter = _delimiter(text.lstrip("\r\n").split("\n", 1)[0])
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _rows(records, max_rows)
    except csv.Error as exc:
        raise _FileProblem(f"file is not valid CSV near line {records.line_num}: {exc}") from None


def _rows(records: Iterator[list[str]], max_rows: int) -> list[tuple[int, dict[str, str]]]:
    header_row, header = _header(records)
    rows: list[tuple[int, dict[str, str]]] = []
    for row, cells in enumerate(records, start=header_row + 1):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are layout, not customers
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise _FileProblem(
                f"row has {len(cells)} cells but the header names {len(header)} columns", row
            )
        if len(rows) == max_rows:
            raise _FileProblem(
                f"file has more than {max_rows} data rows; split it into smaller files"
            )
        padded = cells + [""] * (len(header) - len(cells))
        unnamed = [i + 1 for i, name in enumerate(header) if not name and padded[i].strip()]
        if unnamed:
            # Dropping them silently would lose data the user meant to import.
            raise _FileProblem(f"column {unnamed[0]} has values but no name in the header", row)
        rows.append((row, {name: padded[i].strip() for i, name in enumerate(header) if name}))
    if not rows:
        raise _FileProblem("file has a header but no data rows")
    return rows


def _header(records: Iterator[list[str]]) -> tuple[int, list[str]]:
    row = 0
    cells: list[str] = []
    while not any(cell.strip() for cell in cells):
        row += 1
        next_cells = next(records, None)
        if next_cells is None:
            raise _FileProblem("file is empty; expected a header row")
        cells = next_cells
    names = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in cells]
    unknown = [name for name in names if name and name not in ALL_COLUMNS]
    if unknown:
        raise _FileProblem(
            f"unknown column(s): {', '.join(unknown)}; allowed columns: {', '.join(ALL_COLUMNS)}",
            row,
            unknown[0],
        )
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise _FileProblem(f"column(s) named twice: {', '.join(repeated)}", row, repeated[0])
    if not IDENTITY_COLUMNS & set(names):
        raise _FileProblem(
            "the header needs at least one of first_name, last_name, phone or email", row
        )
    return row, names


def _validate_row(
    row: int, cells: dict[str, str], region: str, errors: list[RowError]
) -> _Candidate | None:
    fields: dict[str, object] = {
        name: _cell_value(name, value)
        for name, value in cells.items()
        if name in PROFILE_COLUMNS and value
    }
    fields["phones"] = [{"number": cells[c]} for c in PHONE_COLUMNS if cells.get(c)]
    fields["emails"] = [{"address": cells[c]} for c in EMAIL_COLUMNS if cells.get(c)]
    try:
        data = CustomerIn.model_validate(fields)
    except ValidationError as exc:
        for problem in describe_errors(exc):
            column = _column(problem.field, cells)
            errors.append(RowError(row, column, problem.message, cells.get(column or "")))
        # Phones are only normalised after the schema passes; check them now too, so one pass
        # over the file reports every problem of the row.
        for column in PHONE_COLUMNS:
            if cells.get(column) and not any(e.column == column for e in errors if e.row == row):
                try:
                    normalize_phone(cells[column], region)
                except InvalidPhone as bad:
                    errors.append(RowError(row, column, bad.message, cells[column]))
        return None
    try:
        phones = normalize_phones(data.phones, region)
        emails = normalize_emails(data.emails)
    except CustomerFieldError as exc:
        column = _column(exc.field, cells)
        errors.append(RowError(row, column, exc.message, cells.get(column or "")))
        return None
    return _Candidate(row, cells, data, phones, emails)


def _cell_value(name: str, value: str) -> str:
    if name in _DECIMAL_COLUMNS and _COMMA_DECIMAL.match(value):
        return value.replace(",", ".")  # "12,50" from a European spreadsheet
    return value


def _column(field_path: str | None, cells: dict[str, str]) -> str | None:
    """Map a schema path back to the CSV column it came from ("phones[1].number" -> "phone2")."""
    if field_path is None:
        return None
    for prefix, columns in (("phones", PHONE_COLUMNS), ("emails", EMAIL_COLUMNS)):
        if field_path.startswith(f"{prefix}["):
            index = int(field_path[len(prefix) + 1 : field_path.index("]")])
            present = [c for c in columns if cells.get(c)]
            return present[index] if index < len(present) else columns[0]
    return field_path.split(".", 1)[0].split("[", 1)[0]


def _drop_duplicates(
    session: Session, candidates: list[_Candidate], errors: list[RowError]
) -> list[_Candidate]:
    """Rows whose phone, email or account number is in an earlier row or already on file."""
    phones_on_file = phone_owners(session, [p.e164 for c in candidates for p in c.phones])
    emails_on_file = email_owners(session, [e.address for c in candidates for e in c.emails])
    accounts_on_file = account_number_owners(
        session, [c.data.account_number for c in candidates if c.data.account_number]
    )
    first_row: dict[tuple[str, str], int] = {}
    good = []
    for candidate in candidates:
        problems = []
        for column, kind, key in _keys(candidate):
            owners = {
                "phone": phones_on_file.get(key, []),
                "email": emails_on_file.get(key, []),
                "account number": [accounts_on_file[key]] if key in accounts_on_file else [],
            }[kind]
            value = candidate.cells.get(column)
            if owners:
                message = f"{kind} {key} already belongs to customer {owners[0]}"
                problems.append(RowError(candidate.row, column, message, value, owners[0]))
            elif (kind, key) in first_row:
                message = f"same {kind} as row {first_row[(kind, key)]} ({key})"
                problems.append(RowError(candidate.row, column, message, value))
        if problems:
            errors.extend(problems)
            continue
        for _column_name, kind, key in _keys(candidate):
            first_row[(kind, key)] = candidate.row
        good.append(candidate)
    return good


def _keys(candidate: _Candidate) -> Iterator[tuple[str, str, str]]:
    """(column, kind, normalised value) of each identifying cell of a row."""
    phone_columns = [c for c in PHONE_COLUMNS if candidate.cells.get(c)]
    email_columns = [c for c in EMAIL_COLUMNS if candidate.cells.get(c)]
    for column, phone in zip(phone_columns, candidate.phones, strict=True):
        yield column, "phone", phone.e164
    for column, email in zip(email_columns, candidate.emails, strict=True):
        yield column, "email", email.address
    if candidate.data.account_number:
        yield "account_number", "account number", candidate.data.account_number
