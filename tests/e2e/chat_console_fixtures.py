"""Helpers for the chat console tests: signing in a browser page, opening the demo chat site to
the live server's origin, and a visitor handed over by the bot to the agents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from contactcentre.demo import DEMO_WIDGET_KEY
from contactcentre.store.models import CannedResponse, ChatSite
from tests.integration.chat.visitors import Customer

PASSWORD = "contactcentre-demo"
GRACE = "agent7@example.com"  # Grace Kim, sales 9: the demo site's chats go to Sales
SUPERVISOR = "supervisor@example.com"  # Sam Supervisor


def sign_in(chromium: Any, base: str, email: str, path: str, *, timeout_ms: float = 30_000) -> Any:
    """A new browser context at 1280x800, signed in as `email`, on `path`; the page waits up to
    `timeout_ms` for what a test expects (Playwright's default unless told)."""
    page = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(f"{base}/login?next={path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}{path}")
    return page


def available_agent(chromium: Any, base: str, email: str = GRACE) -> Any:
    """An agent's console, live and Available."""
    page = sign_in(chromium, base, email, "/console")
    page.get_by_text("● Live").wait_for()
    page.get_by_role("button", name="Available").click()
    page.locator("#state-badge", has_text="Available").wait_for()
    return page


def open_chat_site(app: Any, base: str, *, canned: bool = False) -> None:
    """Let the live server's own origin embed the demo site (and add a canned response)."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        site = session.scalars(select(ChatSite).where(ChatSite.widget_key == DEMO_WIDGET_KEY)).one()
        site.allowed_origins = [*site.allowed_origins, base]
        if canned:
            greeting = "Hi {customer_name}, I'm {agent_name}."
            session.add(CannedResponse(title="Short greeting", body=greeting))
        session.commit()


def visitor_wanting_an_agent(base: str, name: str) -> Customer:
    """A visitor on the demo site who asked the bot for a person (routed to Sales)."""
    customer = Customer(base, origin=base)
    response = customer.start(DEMO_WIDGET_KEY, name=name, topic="sales")
    assert response.status_code == 201, response.text
    customer.connect()
    customer.say("3")  # the bot's "talk to a person"
    return customer


def accept_offer(page: Any) -> None:
    """Accept the (first) offer ringing in the console."""
    offer = page.locator(".offer").first
    offer.wait_for(timeout=20_000)
    offer.get_by_role("button", name="Accept").click()
    offer.wait_for(state="detached")


def customer_history(customer: Customer) -> list[dict[str, Any]]:
    """The conversation as the customer's own HTTP API returns it."""
    response = customer.http.get(
        f"{customer.base_url}/chat/api/conversations/{customer.conversation_id}/messages",
        headers=customer.auth_headers(),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages
