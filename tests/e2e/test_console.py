"""The agent console and the live board in a real browser, on the demo floor with a live router.

A voice task is submitted as the IVR would (intent, IVR path, caller number) via POST /api/v1/tasks.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from contactcentre.store.models import Customer, CustomerPhone
from tests.e2e.conftest import SCREENSHOTS
from tests.integration.realtime.live import browser, eventually

pytestmark = pytest.mark.e2e
PASSWORD = "contactcentre-demo"  # the published demo password
CALLER = "(202) 555-0105"  # a demo customer's number, written the way a person would


def _sign_in(chromium: Any, base: str, email: str, path: str) -> Any:
    page = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{base}/login?next={path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{path}")
    return page


def _caller(app: Any) -> str:
    with app.extensions["contactcentre"].db.session() as session:
        customer = session.scalars(
            select(Customer).join(CustomerPhone).where(CustomerPhone.e164 == "+12025550105")
        ).one()
        return customer.display_name


def _row_state(board: Any, name: str) -> str:
    row = board.locator("#agent-rows tr", has_text=name)
    return str(row.locator(".state-cell").inner_text())


def test_offer_pop_accept_wrap_up_and_board(demo_app: Any, demo_floor: Any, chromium: Any) -> None:
    """The billing call reaches the billing agent with the caller's pop before accepting; the
    offer survives a reconnect; accept, wrap up; the board shows every state change."""
    base = demo_floor.url
    ana = _sign_in(chromium, base, "agent1@example.com", "/console")  # billing 9
    dev = _sign_in(chromium, base, "agent4@example.com", "/console")  # tech support 9
    board = _sign_in(chromium, base, "supervisor@example.com", "/board")
    for page in (ana, dev):
        page.get_by_text("● Live").wait_for()
        page.get_by_role("button", name="Available").click()
        page.locator("#state-badge", has_text="Available").wait_for()
    eventually(lambda: _row_state(board, "Ana García").startswith("Available"))

    # The laptop drops off the network just before the call comes in.
    ana.evaluate("window.consoleSocket.socket.disconnect()")
    ana.locator("#connection", has_text="reconnecting").wait_for()
    boss = browser(base, "supervisor@example.com", PASSWORD)
    task = boss.post(
        f"{base}/api/v1/tasks",
        json={
            "channel": "voice",
            "attributes": {
                "intent": "billing",
                "language": "en",
                "caller": CALLER,
                "caller_kind": "mobile",
                "ivr_path": ["welcome", "choose_language", "main_menu", "billing_account"],
            },
        },
    ).json()
    eventually(lambda: boss.get(f"{base}/api/v1/agents/1/desk").json()["offers"])
    ana.evaluate("window.consoleSocket.socket.connect()")

    name = _caller(demo_app)
    offer = ana.locator(".offer")
    offer.wait_for()
    assert name in offer.inner_text()
    pop = ana.locator("#customer-pane")
    pop.get_by_role("heading", name=name).wait_for()
    assert "welcome → choose language → main menu → billing account" in pop.inner_text()
    assert dev.locator(".offer").count() == 0
    eventually(lambda: _row_state(board, "Ana García").startswith("On contact"))
    ana.screenshot(path=str(SCREENSHOTS / "console-offer.png"))

    ana.keyboard.press("Enter")  # accept
    ana.locator(".call-bar").wait_for()
    assert "billing enquiry" in ana.locator(".script").inner_text().lower()
    assert "this is Ana García" in ana.locator(".script").inner_text()
    ana.screenshot(path=str(SCREENSHOTS / "console-call.png"))

    ana.get_by_role("button", name="Hang up").click()
    ana.locator(".wrap-up").wait_for()
    eventually(lambda: _row_state(board, "Ana García").startswith("Wrap-up"))
    ana.get_by_role("button", name="Done").click()
    assert "required" in ana.locator("#wrap-code-error").inner_text()
    ana.get_by_label("Disposition (required)").select_option("follow_up")
    ana.get_by_role("button", name="Done").click()
    ana.locator("#wrap-notes-error", has_text="note").wait_for()
    ana.get_by_label("Notes (required for this outcome)").fill("Send the corrected invoice.")
    ana.get_by_role("button", name="Done").click()
    ana.locator(".wrap-up").wait_for(state="detached")
    eventually(lambda: _row_state(board, "Ana García").startswith("Available"))
    ana.locator("#stat-handled", has_text="1").wait_for()
    assert (
        boss.get(f"{base}/api/v1/interactions/{task['task_id']}").json()["interaction"][
            "disposition"
        ]
        == "follow_up"
    )


def test_board_changes_an_agents_state_and_shows_the_queue(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """A supervisor puts an agent on break from the board; waiting calls show on their queue."""
    base = demo_floor.url
    dev = _sign_in(chromium, base, "agent4@example.com", "/console")
    dev.get_by_text("● Live").wait_for()
    dev.get_by_role("button", name="Available").click()
    board = _sign_in(chromium, base, "supervisor@example.com", "/board")
    eventually(lambda: _row_state(board, "Dev Patel").startswith("Available"))
    boss = browser(base, "supervisor@example.com", PASSWORD)
    for number in ("+1 415 555 0110", "+1 415 555 0111"):
        boss.post(
            f"{base}/api/v1/tasks",
            json={"channel": "voice", "attributes": {"intent": "sales", "caller": number}},
        )
    sales = board.locator(".tile", has_text="Sales")
    sales.locator("dd").first.filter(has_text="2").wait_for()

    board.locator("#agent-rows tr", has_text="Dev Patel").click()
    board.get_by_label("Change state to").select_option("break:coaching")
    board.get_by_role("button", name="Apply").click()
    eventually(lambda: _row_state(board, "Dev Patel").startswith("Break · coaching"))
    dev.locator("#state-badge", has_text="Break").wait_for()
    board.locator("#agent-rows tr", has_text="Dev Patel").click()  # close the actions
    board.screenshot(path=str(SCREENSHOTS / "board.png"))
    board.get_by_role("button", name="Wall display").click()
    board.locator("body.wall").wait_for()
    board.screenshot(path=str(SCREENSHOTS / "board-wall.png"))


def test_record_edit_and_new_note(demo_app: Any, demo_floor: Any, chromium: Any) -> None:
    """From a search, the agent edits the record (a bad email is flagged next to its field) and
    adds a note, which shows at once with its author."""
    base = demo_floor.url
    ana = _sign_in(chromium, base, "agent1@example.com", "/console")
    name = _caller(demo_app)
    ana.get_by_label("Find a customer").fill("202 555 0105")
    ana.get_by_role("button", name="Search").click()
    ana.get_by_role("button", name=name).click()
    record = ana.locator("#customer-pane")
    record.get_by_role("heading", name=name).wait_for()

    record.get_by_role("button", name="Edit").click()
    ana.get_by_label("Email").fill("not-an-email")
    ana.get_by_role("button", name="Save changes").click()
    ana.locator("#ed-email-error").wait_for()
    assert ana.locator("#ed-email-error").inner_text()
    ana.get_by_label("Email").fill("isabella.n@example.com")
    ana.get_by_label("Account number").fill("00100099")
    ana.get_by_role("button", name="Save changes").click()
    ana.locator("form.edit-customer").wait_for(state="detached")
    assert "isabella.n@example.com" in record.inner_text()
    assert "00100099" in record.inner_text()

    record.get_by_role("button", name="New note").click()
    ana.get_by_role("button", name="Save note").click()
    ana.locator("#note-body-error", has_text="Write the note").wait_for()
    ana.get_by_label("New note (up to 2,000 characters)").fill("Asked for paper invoices.")
    ana.get_by_role("button", name="Save note").click()
    record.locator(".notes li", has_text="Asked for paper invoices.").wait_for()
    assert "Ana García" in record.locator(".notes li", has_text="paper invoices").inner_text()
