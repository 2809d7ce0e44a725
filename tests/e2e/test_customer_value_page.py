"""The customer-value report on the reports page in real Chromium: a supervisor picks it, the
table shows a row per segment with customer equity, and the CSV holds the page's numbers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import func, select

from contactcentre.store.models import Customer, User
from tests.e2e.chat_console_fixtures import sign_in


def test_a_supervisor_reads_customer_equity_and_exports_it(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """The demo's customers, all on file tomorrow: the page's customers add up to them, and
    the exported file is the table cell for cell."""
    runtime = demo_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        on_file = session.scalar(
            select(func.count()).select_from(Customer).where(Customer.erased_at.is_(None))
        )
        supervisor = session.scalars(
            select(User).where(User.email == "supervisor@example.com")
        ).one()
        supervisor.timezone = "UTC"
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    page = sign_in(chromium, demo_floor.url, "supervisor@example.com", "/reports")
    expect(page.locator("#report-status")).to_contain_text("rows")
    page.locator("#report-name").select_option("customer-value")
    page.locator("#report-from").fill((tomorrow - timedelta(days=90)).isoformat())
    page.locator("#report-to").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-table thead th", has_text="customer_equity")).to_be_visible()
    rows = page.locator("#report-table tbody tr")
    expect(rows).not_to_have_count(0)
    texts = "cells => cells.map(c => c.textContent)"
    headings = page.locator("#report-table thead th").evaluate_all(texts)
    shown = [row.locator("td").evaluate_all(texts) for row in rows.all()]
    assert sum(int(r[headings.index("customers")]) for r in shown) == on_file
    title = page.locator("#report-table thead th", has_text="churn_rate").get_attribute("title")
    assert title is not None and title.startswith("Churn rate")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    path = download.value.path()
    assert path is not None
    with open(path, encoding="utf-8") as file:
        exported = list(csv.reader(io.StringIO(file.read())))
    assert exported[0] == headings
    assert [[_value(c) for c in row] for row in exported[1:]] == [
        [_value(c) for c in row] for row in shown
    ]


def _value(cell: str) -> float | str | None:
    if cell in ("", "—"):
        return None
    try:
        return float(cell)
    except ValueError:
        return cell
