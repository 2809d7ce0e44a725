"""SLA policies in real Chromium: the reports page's SLA-breaches section shows the clocks of
the range and its CSV holds the same rows; the board's SLA tile counts breaches and contacts at
risk, and announces an alert the moment the watch sends it."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from contactcentre.realtime.emitter import emitter_for
from contactcentre.reporting.sla_watch import watch
from contactcentre.store.models import Queue, SlaPolicyRow, User
from tests.e2e.chat_console_fixtures import sign_in
from tests.integration.reporting.builders import add_contact, log

DAY = datetime(2026, 5, 4, 8, tzinfo=UTC)
CELLS = "cells => cells.map(c => c.textContent)"


def _floor(runtime: Any, start: datetime, answers: list[float | None]) -> int:
    """A 20 s voice answer policy and one call per answer time (None: still waiting)."""
    with runtime.db.session() as session:
        session.add(SlaPolicyRow(name="voice", channel="voice", answer_seconds=20))
        queue_id = session.scalars(select(Queue.id).order_by(Queue.id)).first()
        for answer in answers:
            contact = add_contact(session, "voice", queue_id)
            steps: list[tuple[str, float, dict[str, Any]]] = [
                ("queued", 0.0, {"queue_id": queue_id, "priority": 0})
            ]
            if answer is not None:
                steps.append(("accepted", answer, {"agent_id": "1"}))
            log(session, contact, start, *steps)
        user = session.scalars(select(User).where(User.email == "supervisor@example.com")).one()
        user.timezone = "UTC"
    assert queue_id is not None
    return queue_id


def test_the_reports_page_shows_the_sla_breaches_and_exports_them(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """Answered at 5 s and 30 s and one never: 1 met, 2 breached on the page and in the CSV."""
    runtime = demo_app.extensions["contactcentre"]
    _floor(runtime, DAY, [5.0, 30.0, None])
    watch(runtime.db, now=DAY.timestamp() + 3600)
    page = sign_in(chromium, demo_floor.url, "supervisor@example.com", "/reports")
    page.locator("#report-from").fill("2026-05-04")
    page.locator("#report-to").fill("2026-05-05")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("#sla-table tbody tr")
    expect(rows).to_have_count(1)
    headings = page.locator("#sla-table thead th").evaluate_all(CELLS)
    shown = rows.first.locator("td").evaluate_all(CELLS)
    assert shown[headings.index("met")] == "1" and shown[headings.index("breached")] == "2"
    assert shown[headings.index("definition")] == "sla_compliance.answer v1"
    with page.expect_download() as download:
        page.locator("#sla-csv").click()
    path = download.value.path()
    assert path is not None
    with open(path, encoding="utf-8") as file:
        exported = list(csv.reader(io.StringIO(file.read())))
    assert exported == [headings, shown]


def test_the_board_counts_breaches_and_announces_a_live_alert(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """A call waiting 30 s (breached) shows on the tile; one waiting 17 s is at risk, and its
    warning, sent while the board is open, is announced in the tile's live region."""
    runtime = demo_app.extensions["contactcentre"]
    now = time.time()
    _floor(runtime, datetime.fromtimestamp(now - 30, UTC), [None])
    watch(runtime.db, runtime.redis, emitter_for(runtime), now=now)
    page = sign_in(chromium, demo_floor.url, "supervisor@example.com", "/board")
    expect(page.locator("#sla-breaches-today")).to_have_text("1")
    expect(page.locator("#board-updated")).to_contain_text("Live")
    queued_at = datetime.fromtimestamp(time.time() - 17, UTC)
    with runtime.db.session() as session:
        queue_id = session.scalars(select(Queue.id).order_by(Queue.id)).first()
        contact = add_contact(session, "voice", queue_id)
        log(session, contact, queued_at, ("queued", 0.0, {"queue_id": queue_id}))
    watch(runtime.db, runtime.redis, emitter_for(runtime))
    expect(page.locator("#sla-announce")).to_contain_text("Warning")
    expect(page.locator("#sla-at-risk")).to_have_text("1")
