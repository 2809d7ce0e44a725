"""The customer-value report on a worked example: per segment the customers on file at the
range's end with their CLV as of then (value history), equity and average, churn and retention
among those on file at its start; the CSV holds the JSON's numbers; the reports page lists it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from contactcentre.customers.value import refresh_value
from contactcentre.customers.value_history import record_value
from contactcentre.store.models import Customer
from tests.integration.customers.builders import add_customer
from tests.integration.signin import login

RANGE = {"from": "2030-01-01", "to": "2030-04-01", "tz": "UTC"}


def _customer(session: Any, settings: Any, value: int, years: int) -> Customer:
    return add_customer(
        session, settings, first_name="C", average_purchase_value=value, purchases_per_year=4,
        relationship_years=years,
    )  # fmt: skip


def _revalue(session: Any, settings: Any, customer: Customer, years: int, day: date) -> None:
    customer.relationship_years = Decimal(years)
    refresh_value(customer, settings)
    session.flush()
    record_value(session, customer, today=day)


def test_customer_value_report_json_and_csv_agree(app: Any, client: Any, make_user: Any) -> None:
    """Gold: A 2,800 (changed in Q1 2030; its Q3 fall to 400 is after the range) and B 2,400:
    equity 5,200, average 2,600, none churned. Bronze: C and D at 300 (75 x 4 x 1), C erased
    in February: 1 on file at the end, churn 1/2, retention 1/2."""
    runtime = app.extensions["contactcentre"]
    settings = runtime.settings
    with runtime.db.session() as session:
        a = _customer(session, settings, 100, 8)
        _customer(session, settings, 100, 6)
        c = _customer(session, settings, 75, 1)
        _customer(session, settings, 75, 1)
        _revalue(session, settings, a, 7, date(2030, 2, 15))
        _revalue(session, settings, a, 1, date(2030, 8, 15))
        # Erased inside the range (erase_customer stamps now; the range is in the future).
        c.erased_at = datetime(2030, 2, 1, tzinfo=UTC)
    headers = make_user("supervisor")["headers"]
    reply = client.get("/api/v1/reports/customer-value", query_string=RANGE, headers=headers)
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    rows = {r["segment"]: r for r in body["rows"]}
    assert set(rows) == {"bronze", "gold"}
    assert rows["gold"] == {
        "segment": "gold", "customers": 2, "customer_equity": 5200.0, "average_clv": 2600.0,
        "customers_at_start": 2, "churned": 0, "churn_rate": 0.0, "retention_rate": 1.0,
    }  # fmt: skip
    assert rows["bronze"] == {
        "segment": "bronze", "customers": 1, "customer_equity": 300.0, "average_clv": 300.0,
        "customers_at_start": 2, "churned": 1, "churn_rate": 0.5, "retention_rate": 0.5,
    }  # fmt: skip
    assert body["definitions"]["churn_rate"]["id"] == "churn_rate v1"
    assert body["definitions"]["customer_equity"]["id"] == "customer_equity v1"

    reply = client.get(
        "/api/v1/reports/customer-value", query_string={**RANGE, "format": "csv"}, headers=headers
    )
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    assert table == [{k: "" if v is None else str(v) for k, v in r.items()} for r in body["rows"]]


def test_a_range_before_any_customer_has_no_rows(app: Any, client: Any, make_user: Any) -> None:
    """No customer on file at the start or the end: no rows, never a 0% or 100% churn."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        _customer(session, runtime.settings, 100, 8)
    reply = client.get(
        "/api/v1/reports/customer-value",
        query_string={"from": "2001-01-01", "to": "2001-02-01"},
        headers=make_user("supervisor")["headers"],
    )
    assert reply.status_code == 200 and reply.get_json()["rows"] == []


def test_the_reports_page_lists_the_customer_value_report(client: Any, make_user: Any) -> None:
    supervisor = make_user("supervisor")
    assert login(client, supervisor["email"], supervisor["password"]).status_code == 302
    page = client.get("/reports")
    assert page.status_code == 200
    assert 'value="customer-value"' in page.get_data(as_text=True)
