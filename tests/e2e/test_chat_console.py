"""Chat in the agent console, in a real browser: the offer, the conversation with the bot's
history, replies both ways, a canned response, a supervisor's whisper, ending and wrap-up."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from contactcentre.demo import DEMO_WIDGET_KEY
from contactcentre.store.models import CannedResponse, ChatSite
from tests.e2e.conftest import SCREENSHOTS
from tests.integration.chat.conftest import Customer
from tests.integration.realtime.live import browser, eventually

pytestmark = pytest.mark.e2e
PASSWORD = "contactcentre-demo"


def _sign_in(chromium: Any, base: str, email: str, path: str) -> Any:
    page = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{base}/login?next={path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{path}")
    return page


def test_agent_handles_a_chat_in_the_console(demo_app: Any, demo_floor: Any, chromium: Any) -> None:
    """Accept a chat, see the bot's part, reply, use a canned response, read a whisper, end it
    and wrap up with a disposition; the customer sees the agent's messages but not the whisper."""
    base = demo_floor.url
    runtime = demo_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        site = session.scalars(select(ChatSite).where(ChatSite.widget_key == DEMO_WIDGET_KEY)).one()
        site.allowed_origins = [*site.allowed_origins, base]
        session.add(CannedResponse(title="Greeting", body="Hi {customer_name}, I'm {agent_name}."))
        session.commit()
    grace = _sign_in(chromium, base, "agent7@example.com", "/console")  # Grace Kim, sales 9
    grace.get_by_text("● Live").wait_for()
    grace.get_by_role("button", name="Available").click()
    grace.locator("#state-badge", has_text="Available").wait_for()

    walt = Customer(base, origin=base)
    try:
        assert walt.start(DEMO_WIDGET_KEY, name="Walt", topic="sales").status_code == 201
        walt.connect()
        walt.say("3")  # the bot's "talk to a person"
        offer = grace.locator(".offer")
        offer.wait_for(timeout=20_000)
        offer.get_by_role("button", name="Accept").click()
        chat = grace.locator("section.chat")
        chat.get_by_text("I'm passing you to one of our team").wait_for()
        eventually(
            lambda: any("Grace Kim joined" in m["body"] for m in walt.messages()), timeout=15
        )

        reply = chat.get_by_label("Reply to the customer")
        reply.fill("Hello Walt, happy to help.")
        reply.press("Enter")
        eventually(lambda: any(m["body"] == "Hello Walt, happy to help." for m in walt.messages()))
        walt.say("Do you ship to Canada?")
        chat.get_by_text("Do you ship to Canada?").wait_for()

        chat.get_by_role("button", name="Canned responses").click()
        chat.get_by_role("button", name="Greeting").click()
        assert reply.input_value() == "Hi Walt, I'm Grace Kim."
        reply.press("Enter")
        eventually(lambda: any(m["body"] == "Hi Walt, I'm Grace Kim." for m in walt.messages()))

        boss = browser(base, "supervisor@example.com", PASSWORD)
        task_id = grace.locator(".work-item").first.get_attribute("data-task")
        note = boss.post(
            f"{base}/api/v1/chats/{task_id}/whisper", json={"body": "Mention free shipping"}
        )
        assert note.status_code == 201
        chat.get_by_text("Mention free shipping").wait_for()
        grace.screenshot(path=str(SCREENSHOTS / "console-chat.png"))
        assert all(m["body"] != "Mention free shipping" for m in walt.messages())

        grace.get_by_role("button", name="End contact").click()
        eventually(lambda: walt.of("closed"))
        grace.get_by_label("Disposition").select_option(index=1)
        grace.get_by_role("button", name="Done").click()
        grace.locator("#work-empty").wait_for()
    finally:
        walt.close()
