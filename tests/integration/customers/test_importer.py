"""CSV import: all-or-nothing by default, good rows only on request, row-level errors."""

from __future__ import annotations

import io
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactcentre.customers import import_csv
from contactcentre.customers.importer import RowError
from contactcentre.settings import Settings
from contactcentre.store.models import Customer, CustomerEmail, CustomerPhone
from tests.integration.customers.builders import add_customer

GOOD = (
    "first_name,last_name,phone,email,country,postcode,average_purchase_value,"
    "purchases_per_year,relationship_years,consent_marketing\n"
    "Ada,Lovelace,020 7946 0958,Ada@Example.com,GB,sw1a1aa,100,4,8,yes\n"
    "Bob,Brown,+1 202 555 0123,bob@example.com,US,90210,20,5,3,no\n"
    "Cy,,0161 496 0000,,,,,,,\n"
)


def customers(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer)) or 0


def test_all_good_file_imports_every_row(session: Session, settings: Settings) -> None:
    """A valid file imports each row with normalised phones, emails, postcode and CLV."""
    report = import_csv(session, io.StringIO(GOOD), settings)
    assert (report.imported, report.skipped, report.errors) == (3, 0, [])
    ada = session.scalars(select(Customer).where(Customer.first_name == "Ada")).one()
    assert [p.e164 for p in ada.phones] == ["+442079460958"]
    assert [e.address for e in ada.emails] == ["ada@example.com"]
    assert (ada.postcode, ada.clv, ada.segment) == ("SW1A 1AA", Decimal("3200.00"), "gold")
    assert ada.consent_marketing is True and ada.consent_updated_at is not None


def test_one_bad_row_imports_nothing(session: Session, settings: Settings) -> None:
    """Any bad row stops the whole import and is reported by spreadsheet row and column."""
    text = GOOD + "Dee,Dale,12,dee@example.com,GB,SW1A 1AA,1,1,1,no\n"
    report = import_csv(session, io.StringIO(text), settings)
    assert (report.imported, report.skipped) == (0, 4)
    (error,) = report.errors
    assert (error.row, error.column, error.value) == (5, "phone", "12")
    assert "too short for region GB" in error.message
    assert customers(session) == 0


def test_skip_bad_rows_imports_the_good_ones(session: Session, settings: Settings) -> None:
    """With skip_bad_rows the good rows import and each bad row is reported."""
    text = (
        "first_name,email,birth_date,household_size\n"
        "Ada,ada@example.com,1980-12-10,2\n"
        "Bob,not-an-email,1980-12-10,2\n"
        "Cy,cy@example.com,10/12/1980,0\n"
        "Dee,dee@example.com,,\n"
    )
    report = import_csv(session, text.encode(), settings, skip_bad_rows=True)
    assert (report.imported, report.skipped) == (2, 2)
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "email"),
        (4, "birth_date"),
        (4, "household_size"),
    ]
    assert report.errors[1].value == "10/12/1980"
    names = session.scalars(select(Customer.first_name).order_by(Customer.id)).all()
    assert names == ["Ada", "Dee"]


def test_duplicates_inside_the_file(session: Session, settings: Settings) -> None:
    """A phone or email repeated in a later row is an error pointing at the first row."""
    text = (
        "first_name;phone;email\n"
        "Ada;020 7946 0958;ada@example.com\n"
        "Ada again;+44 20 7946 0958;other@example.com\n"
        "Bob;0161 496 0000;ADA@example.com\n"
    )
    report = import_csv(session, io.StringIO(text), settings, skip_bad_rows=True)
    assert report.imported == 1
    assert [(e.row, e.column) for e in report.errors] == [(3, "phone"), (4, "email")]
    assert "same phone as row 2" in report.errors[0].message
    assert "same email as row 2" in report.errors[1].message


def test_duplicates_against_the_database(session: Session, settings: Settings) -> None:
    """A phone, email or account number already on file names the existing customer."""
    ada = add_customer(
        session,
        settings,
        first_name="Ada",
        phones=[{"number": "020 7946 0958"}],
        emails=[{"address": "ada@example.com"}],
        account_number="ACC-1",
    )
    text = (
        "first_name,phone,email,account_number\n"
        "A,+442079460958,,\n"
        "B,,Ada@Example.com,\n"
        "C,,,ACC-1\n"
        "D,0161 496 0000,,\n"
    )
    report = import_csv(session, io.StringIO(text), settings)
    assert report.imported == 0
    assert [(e.row, e.column, e.existing_customer_id) for e in report.errors] == [
        (2, "phone", ada.id),
        (3, "email", ada.id),
        (4, "account_number", ada.id),
    ]
    assert f"already belongs to customer {ada.id}" in report.errors[0].message
    assert customers(session) == 1


def test_bom_and_semicolons(session: Session, settings: Settings) -> None:
    """A UTF-8 file with a BOM and ; delimiters (Excel in Europe) imports, with comma decimals."""
    text = "first_name;last_name;average_purchase_value;purchases_per_year\nZoë;Müller;12,50;2\n"
    report = import_csv(session, "\ufeff".encode() + text.encode(), settings)
    assert (report.imported, report.errors) == (1, [])
    zoe = session.scalars(select(Customer)).one()
    assert (zoe.first_name, zoe.last_name) == ("Zoë", "Müller")
    assert zoe.average_purchase_value == Decimal("12.50")


def test_bom_in_a_text_stream(session: Session, settings: Settings) -> None:
    """A BOM left at the start of a text stream does not corrupt the first column name."""
    report = import_csv(session, io.StringIO("\ufefffirst_name,email\nAda,ada@x.com\n"), settings)
    assert (report.imported, report.errors) == (1, [])


def test_tab_delimited(session: Session, settings: Settings) -> None:
    """Tab-separated files are recognised too."""
    report = import_csv(session, b"first_name\tphone\nAda\t020 7946 0958\n", settings)
    assert report.imported == 1


def test_non_utf8_file_is_a_clear_file_error(session: Session, settings: Settings) -> None:
    """A Latin-1 file is refused as a whole with advice to save as CSV UTF-8."""
    report = import_csv(session, "first_name\nZoë\n".encode("latin-1"), settings)
    assert report.imported == 0
    (error,) = report.errors
    assert error.row is None
    assert "not UTF-8" in error.message and "CSV UTF-8" in error.message


def test_utf16_file_is_named(session: Session, settings: Settings) -> None:
    """A UTF-16 file (Excel 'Unicode text') is recognised and named."""
    report = import_csv(session, "first_name\nAda\n".encode("utf-16"), settings)
    assert "UTF-16" in report.errors[0].message


def test_empty_file_and_header_only(session: Session, settings: Settings) -> None:
    """An empty file and a header without rows are file-level errors."""
    empty = import_csv(session, b"", settings)
    assert "file is empty" in empty.errors[0].message
    header_only = import_csv(session, io.StringIO("first_name,phone\n\n"), settings)
    assert header_only.errors == [RowError(None, None, "file has a header but no data rows")]
    assert (header_only.imported, header_only.skipped) == (0, 0)


def test_unknown_columns_are_named(session: Session, settings: Settings) -> None:
    """Unknown header names are a file-level error naming each of them."""
    report = import_csv(
        session, io.StringIO("first_name,shoe_size,Fav Colour\nAda,5,red\n"), settings
    )
    (error,) = report.errors
    assert (error.row, error.column) == (1, "shoe_size")
    assert "shoe_size, fav_colour" in error.message
    assert customers(session) == 0


def test_header_needs_an_identity_column(session: Session, settings: Settings) -> None:
    """A file without any name, phone or email column is refused."""
    report = import_csv(session, io.StringIO("country\nGB\n"), settings)
    assert "at least one of first_name, last_name, phone or email" in report.errors[0].message


def test_row_without_identity_is_a_row_error(session: Session, settings: Settings) -> None:
    """A row whose name, phone and email are all empty is reported as a whole-row error."""
    report = import_csv(session, io.StringIO("first_name,country\nAda,GB\n,GB\n"), settings)
    assert [(e.row, e.column) for e in report.errors] == [(3, None)]


def test_too_many_rows(session: Session, settings: Settings) -> None:
    """A file over max_rows is refused before anything is imported."""
    text = "first_name\n" + "".join(f"P{n}\n" for n in range(6))
    report = import_csv(session, io.StringIO(text), settings, max_rows=5, skip_bad_rows=True)
    assert report.imported == 0
    assert "more than 5 data rows" in report.errors[0].message
    assert customers(session) == 0


def test_too_many_cells_in_a_row(session: Session, settings: Settings) -> None:
    """A row with more cells than the header names is a structural error."""
    report = import_csv(session, io.StringIO("first_name,phone\nAda,1,extra\n"), settings)
    assert (report.errors[0].row, report.imported) == (2, 0)


def test_second_phone_and_email_columns(session: Session, settings: Settings) -> None:
    """phone2 and email2 add a second contact point; errors point at the right column."""
    text = (
        "first_name,phone,phone2,email,email2\n"
        "Ada,020 7946 0958,07400 123456,ada@example.com,ada@work.example\n"
        "Bob,0161 496 0000,12,,\n"
    )
    report = import_csv(session, io.StringIO(text), settings, skip_bad_rows=True)
    assert report.imported == 1
    assert [(e.row, e.column, e.value) for e in report.errors] == [(3, "phone2", "12")]
    phones = session.scalars(select(CustomerPhone.e164).order_by(CustomerPhone.id)).all()
    assert phones == ["+442079460958", "+447400123456"]
    assert session.scalar(select(func.count()).select_from(CustomerEmail)) == 2


def test_every_problem_of_a_row_is_reported(session: Session, settings: Settings) -> None:
    """A row with a bad email and a bad phone reports both in one pass."""
    report = import_csv(session, io.StringIO("first_name,phone,email\nAda,12,nope\n"), settings)
    assert [(e.row, e.column) for e in report.errors] == [(2, "phone"), (2, "email")]


def test_trailing_empty_column_is_ignored_but_unnamed_data_is_not(
    session: Session, settings: Settings
) -> None:
    """An empty unnamed column (trailing delimiter) is ignored; values under no name are refused."""
    ok = import_csv(session, io.StringIO("first_name,\nAda,\n"), settings)
    assert (ok.imported, ok.errors) == (1, [])
    bad = import_csv(session, io.StringIO("first_name,,phone\nBob,x,\n"), settings)
    assert "column 2 has values but no name" in bad.errors[0].message
