"""The planning page in real Chromium: a supervisor changes the calculator's volume and sees the
agents needed change, checks it by simulation, and reads a queue's forecast and required staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select, update

from contactcentre.store.models import Queue, RoutingPlan, User
from tests.builders import add_agents, add_queue
from tests.demand_history import simulate_logged_day
from tests.e2e.chat_console_fixtures import sign_in
from tests.e2e.floors import SCREENSHOTS
from tests.integration.planning.history import last_monday, seasonal_weeks

DAY = datetime(2026, 5, 4, 8, tzinfo=UTC)


def test_a_supervisor_sizes_a_queue_and_checks_it_by_simulation(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """The worked example needs 14 agents by Erlang C; doubling the volume to 200 calls needs 24
    (the pooling gain: fewer than twice 14); the simulator's check agrees with the model."""
    page = sign_in(chromium, demo_floor.url, "supervisor@example.com", "/planning")
    erlang_c = page.locator('#calculator-table tr[data-model="erlang_c"]')
    expect(erlang_c.locator(".agents")).to_have_text("14")
    page.get_by_label("Contacts offered").fill("200")
    page.get_by_label("Check with the simulator").check()
    page.get_by_role("button", name="Calculate").click()
    expect(erlang_c.locator(".agents")).to_have_text("24")
    expect(erlang_c.locator(".simulation")).to_contain_text("agrees with the model")


def test_a_supervisor_reads_a_queues_forecast_and_staff(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """Six generated weeks for the first queue: the page lists each open interval of the next
    Monday with its contacts, WAPE beside last week's, and the agents each interval needs."""
    covered = last_monday()
    runtime = demo_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        queue = session.scalars(select(Queue).order_by(Queue.id)).first()
        assert queue is not None
        name = queue.name
        seasonal_weeks(session, queue.id, covered, weeks=6)
        supervisor = session.scalars(
            select(User).where(User.email == "supervisor@example.com")
        ).one()
        supervisor.timezone = "UTC"
        session.commit()
    page = sign_in(chromium, demo_floor.url, "supervisor@example.com", "/planning")
    page.locator("#f-queue_id").select_option(label=name)
    page.locator("#f-from").fill((covered + timedelta(weeks=1)).date().isoformat())
    page.get_by_role("button", name="Calculate").click()
    rows = page.locator("#requirements-table tbody tr")
    expect(rows).to_have_count(48)  # 08:00 to 20:00, every quarter hour
    expect(page.locator("#wape")).to_contain_text("same interval last week")
    expect(page.locator("#peak")).to_contain_text("Erlang A")
    page.screenshot(path=str(SCREENSHOTS / "planning.png"), full_page=True)


def test_a_supervisor_replays_a_logged_day_with_two_more_agents(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """A logged day replayed unchanged shows the logged SL again (+0.0 points); with two more
    agents the replayed SL rises above the logged one."""
    runtime = demo_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        # The demo's plans catch every task for its own queues; off, the day's calls (their
        # attribute queue_id) reach the new queue by its direct plan, as a queue's own line would.
        session.execute(update(RoutingPlan).values(active=False))
        queue = add_queue(session, "Replayed")
        agents = add_agents(session, 8, password_hash="not-a-login")
        session.commit()
        simulate_logged_day(
            session, queue_id=queue.id, agent_ids=[a.id for a in agents], day_start=DAY,
            calls_per_hour=150, hours=2, seed=5,
        )  # fmt: skip
        supervisor = session.scalars(
            select(User).where(User.email == "supervisor@example.com")
        ).one()
        supervisor.timezone = "UTC"
        session.commit()
    page = sign_in(chromium, demo_floor.url, "supervisor@example.com", "/planning")
    page.get_by_label("Logged day").fill(DAY.date().isoformat())
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#whatif-difference")).to_contain_text("+0.0 points")
    logged_sl = page.locator('#whatif-table tr[data-row="logged"] .sl').inner_text()
    page.get_by_label("Extra agents").fill("2")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#whatif h2")).to_contain_text("with 2 more agents")
    replayed_sl = page.locator('#whatif-table tr[data-row="replayed"] .sl').inner_text()
    assert float(replayed_sl.rstrip("%")) > float(logged_sl.rstrip("%"))
