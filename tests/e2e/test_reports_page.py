"""The reports page in real Chromium: a supervisor opens a report, changes the range, exports
CSV, and the file holds the numbers the page shows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from contactcentre.reporting.rollup import roll_up
from contactcentre.store.models import Queue, User
from tests.e2e.chat_console_fixtures import sign_in
from tests.integration.reporting.event_logs import call, write

DAY = datetime(2026, 5, 4, 8, tzinfo=UTC)


def test_a_supervisor_changes_the_range_and_exports_the_numbers_shown(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """40 calls on 4 May: the page shows them once the range is 4-5 May, and the CSV it
    downloads has the page's rows, cell for cell."""
    runtime = demo_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        queues = list(session.scalars(select(Queue.id).order_by(Queue.id)))[:2]
        for index in range(40):
            write(session, DAY, call(index), queues, None)
        supervisor = session.scalars(
            select(User).where(User.email == "supervisor@example.com")
        ).one()
        supervisor.timezone = "UTC"
    roll_up(runtime.db)
    page = sign_in(chromium, demo_floor.url, "supervisor@example.com", "/reports")
    expect(page.locator("#report-status")).to_contain_text("rows")
    page.locator("#report-from").fill("2026-05-04")
    page.locator("#report-to").fill("2026-05-05")
    page.locator("#report-group").select_option("queue")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-status")).to_contain_text("2026-05-04T00:00:00+00:00")
    rows = page.locator("#report-table tbody tr")
    expect(rows).not_to_have_count(0)
    texts = "cells => cells.map(c => c.textContent)"  # as written, not as styled (uppercase)
    headings = page.locator("#report-table thead th").evaluate_all(texts)
    shown = [row.locator("td").evaluate_all(texts) for row in rows.all()]
    assert sum(int(r[headings.index("offered")]) for r in shown) == 40
    assert (
        page.locator("#report-table thead th", has_text="service_level")
        .get_attribute("title")
        .startswith("Service level")
    )
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
    """A cell as a number when it is one ("20" on the page is "20.0" in the file)."""
    if cell in ("", "—"):
        return None
    try:
        return float(cell)
    except ValueError:
        return cell
