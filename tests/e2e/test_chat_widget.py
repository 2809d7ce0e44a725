"""The chat widget in a real browser, embedded in a shop page served from another origin: the
pre-chat form, the bot, the hand-over to an agent, messages both ways, a reload that resumes,
closing with a rating; and a site whose origin is not allowed gets no chat at all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from sqlalchemy import select

from contactcentre.demo import DEMO_WIDGET_KEY
from contactcentre.store.models import Agent, ChatConversation, ChatSite, CsatRating, User
from tests.e2e.conftest import SCREENSHOTS
from tests.integration.realtime.live import browser, eventually

pytestmark = pytest.mark.e2e
PASSWORD = "contactcentre-demo"


class _Shop:
    """A stand-in for the business's website: one page with the widget's script tag."""

    def __init__(self, platform: str) -> None:
        page = (
            "<!doctype html><html lang=en><head><title>Shop</title></head>"
            "<body style='font-family: Georgia'><h1>Acme shop</h1>"
            f"<script src='{platform}/chat/widget.js' data-widget-key='{DEMO_WIDGET_KEY}' async>"
            "</script></body></html>"
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def shop(demo_app: Any, demo_floor: Any) -> Iterator[_Shop]:
    """The shop, on an origin the demo chat site allows."""
    shop = _Shop(demo_floor.url)
    with demo_app.extensions["contactcentre"].db.session() as session:
        site = session.scalars(select(ChatSite).where(ChatSite.widget_key == DEMO_WIDGET_KEY)).one()
        site.allowed_origins = [*site.allowed_origins, shop.url]
        session.commit()
    yield shop
    shop.stop()


def _widget(page: Any) -> Any:
    return page.locator("[data-cc-chat]")


def test_customer_chats_with_the_bot_then_an_agent_and_rates(
    demo_app: Any, demo_floor: Any, chromium: Any, shop: _Shop
) -> None:
    """Pre-chat form → bot menu → a person → the agent's reply → reload resumes → rating."""
    base = demo_floor.url
    grace = browser(base, "agent7@example.com", PASSWORD)  # Grace Kim, sales 9
    runtime = demo_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        agent = session.scalars(
            select(Agent).join(User).where(User.email == "agent7@example.com")
        ).one()
        agent_id = agent.id
    grace.post(f"{base}/api/v1/agents/{agent_id}/state", json={"state": "available"})
    eventually(
        lambda: grace.get(f"{base}/api/v1/agents/{agent_id}/state").json()["state"] == "available"
    )

    page = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(shop.url)
    launcher = _widget(page).get_by_role("button", name="Chat with us")
    launcher.click()
    _widget(page).get_by_label("Your name").fill("Walt Whitman")
    _widget(page).get_by_label("Email (for a reply or the transcript)").fill("walt@example.com")
    _widget(page).get_by_label("What is it about?").select_option("sales")
    page.screenshot(path=str(SCREENSHOTS / "chat-widget-prechat.png"))
    _widget(page).get_by_role("button", name="Start chat").click()
    _widget(page).get_by_text("Hi Walt Whitman").wait_for()
    _widget(page).get_by_role("button", name="3 · Talk to a person").click()

    def offered() -> list[dict[str, Any]]:
        return grace.get(f"{base}/api/v1/agents/{agent_id}/desk").json()["offers"]

    offer = eventually(offered, timeout=20)[0]
    assert offer["channel"] == "chat"
    assert (
        grace.post(f"{base}/api/v1/reservations/{offer['reservation_id']}/accept").status_code
        == 202
    )
    _widget(page).get_by_text("Grace Kim joined the chat.").wait_for()
    _widget(page).get_by_text("Chatting with Grace Kim").wait_for()
    task = offer["task_id"]
    reply = grace.post(
        f"{base}/api/v1/chats/{task}/messages",
        json={"body": "Hello Walt! Which plan interests you?"},
    )
    assert reply.status_code == 201, reply.text
    _widget(page).get_by_text("Hello Walt! Which plan interests you?").wait_for()
    composer = _widget(page).get_by_label("Message")
    composer.fill("The family plan, please")
    composer.press("Enter")
    eventually(
        lambda: any(
            m["body"] == "The family plan, please"
            for m in grace.get(f"{base}/api/v1/chats/{task}").json()["messages"]
        )
    )
    page.screenshot(path=str(SCREENSHOTS / "chat-widget-conversation.png"))

    # A reload resumes the same conversation with its history.
    page.reload()
    _widget(page).get_by_role("button", name="Chat with us").click()
    _widget(page).get_by_text("The family plan, please").wait_for()
    _widget(page).get_by_text("Hello Walt! Which plan interests you?").wait_for()

    _widget(page).get_by_role("button", name="End chat").click()
    _widget(page).get_by_text("How did we do?").wait_for()
    _widget(page).get_by_text("5 stars").click()
    _widget(page).get_by_label("Anything to add? (optional)").fill("Very helpful")
    page.screenshot(path=str(SCREENSHOTS / "chat-widget-rating.png"))
    _widget(page).get_by_role("button", name="Send rating").click()
    _widget(page).get_by_text("Thank you for your rating.").wait_for()
    with runtime.db.session() as session:
        conversation = session.scalars(
            select(ChatConversation).where(ChatConversation.interaction_id == task)
        ).one()
        assert conversation.status == "closed" and conversation.closed_by == "customer"
        rating = session.scalars(select(CsatRating).where(CsatRating.interaction_id == task)).one()
        assert rating.score == 5 and rating.comment == "Very helpful"


def test_a_site_not_on_the_allowed_list_gets_no_chat(demo_floor: Any, chromium: Any) -> None:
    """The widget on a page whose origin the site does not list stays hidden; the server said no."""
    stranger = _Shop(demo_floor.url)  # its origin is not in the demo site's list
    try:
        page = chromium.new_context().new_page()
        page.goto(stranger.url)
        page.locator("[data-cc-chat=unavailable]").wait_for(state="attached")
        assert (
            not page.locator("[data-cc-chat]")
            .get_by_role("button", name="Chat with us")
            .is_visible()
        )
        refused = requests.get(
            f"{demo_floor.url}/chat/api/sites/{DEMO_WIDGET_KEY}",
            headers={"Origin": stranger.url},
            timeout=5,
        )
        assert refused.status_code == 403
    finally:
        stranger.stop()
