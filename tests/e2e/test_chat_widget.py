"""The chat widget in Chromium, on a shop page served from another origin: the whole customer
journey, leaving a message, a refused origin, the host page left alone, and a message resent
after the connection broke."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import select

from contactcentre.demo import DEMO_WIDGET_KEY
from contactcentre.store.models import (
    Agent,
    ChatConversation,
    ChatSite,
    CsatRating,
    Interaction,
    User,
)
from tests.e2e.floors import SCREENSHOTS
from tests.integration.realtime.live import Listener, browser, eventually

pytestmark = pytest.mark.e2e
PASSWORD = "contactcentre-demo"
GRACE = "agent7@example.com"  # Grace Kim, sales 9
HUGO = "agent8@example.com"  # Hugo Silva, sales 7


class _Shop:
    """A stand-in for the business's website: one page with the widget's script tag."""

    def __init__(self, platform: str, head: str = "") -> None:
        page = (
            f"<!doctype html><html lang=en><head><title>Acme shop</title>{head}"
            # The host's own CSS must not reach inside the widget.
            "<style>button { background: red !important; } * { letter-spacing: 3px; }</style>"
            "</head><body style='font-family: Georgia, serif'><h1>Acme shop</h1>"
            "<p>Hand-made garden tools since 1887.</p>"
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
        self.server.server_close()


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


def _available(runtime: Any, base: str, email: str) -> tuple[requests.Session, int]:
    agent_http = browser(base, email, PASSWORD)
    with runtime.db.session() as session:
        agent_id = int(
            session.scalars(select(Agent.id).join(User).where(User.email == email)).one()
        )
    answer = agent_http.post(f"{base}/api/v1/agents/{agent_id}/state", json={"state": "available"})
    assert answer.status_code == 202, answer.text
    # Signed in: available, or already holding the offer that was waiting for them.
    eventually(
        lambda: (
            agent_http.get(f"{base}/api/v1/agents/{agent_id}/state").json()["state"] != "offline"
        )
    )
    return agent_http, agent_id


def _offer(agent_http: requests.Session, base: str, agent_id: int) -> dict[str, Any]:
    offers = eventually(
        lambda: agent_http.get(f"{base}/api/v1/agents/{agent_id}/desk").json()["offers"],
        timeout=20,
    )
    return dict(offers[0])


def _open_prechat(page: Any, shop: _Shop) -> Any:
    page.goto(shop.url)
    widget = _widget(page)
    widget.get_by_role("button", name="Chat with us").click()
    expect(widget.get_by_label("Your name")).to_be_focused()
    return widget


def test_customer_chats_with_the_bot_then_an_agent_and_rates(
    demo_app: Any, demo_floor: Any, chromium: Any, shop: _Shop
) -> None:
    """Pre-chat, bot, queue, agent; typing, messages, files; reload resumes; rating stored."""
    base = demo_floor.url
    runtime = demo_app.extensions["contactcentre"]
    grace, grace_id = _available(runtime, base, GRACE)

    page = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    widget = _open_prechat(page, shop)
    widget.get_by_label("Your name").fill("Walt Whitman")
    widget.get_by_label("Email (for a reply or the transcript)").fill("walt@example.com")
    widget.get_by_label("What is it about?").select_option("sales")
    page.screenshot(path=str(SCREENSHOTS / "chat-widget-prechat.png"))
    widget.get_by_role("button", name="Start chat").click()

    expect(widget.get_by_text("Hi Walt Whitman")).to_be_visible()
    widget.get_by_role("button", name="3 · Talk to a person").click()
    status = widget.get_by_role("status")
    expect(status).to_contain_text("Waiting for an agent")

    # Grace turns the offer down, so the chat waits in line (the widget asks every 10 s).
    first = _offer(grace, base, grace_id)
    assert first["channel"] == "chat"
    rejected = grace.post(f"{base}/api/v1/reservations/{first['reservation_id']}/reject", json={})
    assert rejected.status_code == 202, rejected.text
    expect(status).to_contain_text("you are number 1 in line", timeout=20_000)

    hugo, hugo_id = _available(runtime, base, HUGO)
    customer_typing: list[dict[str, Any]] = []
    console = Listener()
    console.client.on("chat_typing", customer_typing.append, namespace="/agent")
    console.connect(base, hugo, "/agent")
    offer = _offer(hugo, base, hugo_id)
    accepted = hugo.post(f"{base}/api/v1/reservations/{offer['reservation_id']}/accept")
    assert accepted.status_code == 202, accepted.text
    task = offer["task_id"]
    joined = console.client.call(
        "join", {"room": f"interaction:{task}"}, namespace="/agent", timeout=10
    )
    assert joined["ok"], joined  # as the console does when the offer arrives
    expect(widget.get_by_text("Hugo Silva joined the chat.")).to_be_visible()
    expect(status).to_have_text("Chatting with Hugo Silva")

    # The agent types, then answers; the indicator names her and goes with her message.
    console.client.call(
        "chat_typing", {"interaction_id": task, "active": True}, namespace="/agent", timeout=10
    )
    expect(widget.get_by_text("Hugo Silva is typing…")).to_be_visible()
    reply = hugo.post(
        f"{base}/api/v1/chats/{task}/messages",
        json={"body": "Hello Walt! Which plan interests you?", "client_id": "hugo-1"},
    )
    assert reply.status_code == 201, reply.text
    expect(widget.get_by_text("Hello Walt! Which plan interests you?")).to_be_visible()
    expect(widget.get_by_text("Hugo Silva is typing…")).to_be_hidden()

    composer = widget.get_by_label("Message")
    composer.fill("The family plan")
    eventually(lambda: any(t["who"] == "customer" and t["active"] for t in customer_typing))
    composer.fill("The family plan, please")
    composer.press("Enter")
    expect(composer).to_have_value("")
    expect(
        widget.locator(".msg.customer[data-seq]", has_text="The family plan, please")
    ).to_have_count(1)
    history = hugo.get(f"{base}/api/v1/chats/{task}").json()["messages"]
    assert [m["body"] for m in history].count("The family plan, please") == 1

    # Too long: refused in the widget with the limit, the text kept for editing.
    composer.fill("x" * 2001)
    composer.press("Enter")
    expect(widget.get_by_role("alert")).to_contain_text("Messages are limited to 2000 characters")
    expect(composer).to_have_value("x" * 2001)
    composer.fill("")

    # Files: a type outside the site's list is refused before upload; a receipt goes through.
    files = widget.locator("input[type=file]")
    files.set_input_files(
        {"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ\x90\x00"}
    )
    expect(widget.get_by_role("alert")).to_contain_text("setup.exe can't be sent")
    files.set_input_files(
        {"name": "receipt.txt", "mimeType": "text/plain", "buffer": b"Order 1887: 1 spade\n"}
    )
    expect(widget.get_by_role("link", name=re.compile(r"receipt\.txt"))).to_be_visible()
    expect(widget.get_by_role("alert")).to_be_hidden()
    history = hugo.get(f"{base}/api/v1/chats/{task}").json()["messages"]
    assert any(a["filename"] == "receipt.txt" for m in history for a in m["attachments"])
    page.screenshot(path=str(SCREENSHOTS / "chat-widget-conversation.png"))

    # A reload resumes the same conversation with its history, once.
    page.reload()
    widget.get_by_role("button", name="Chat with us").click()
    expect(widget.get_by_text("Hello Walt! Which plan interests you?")).to_be_visible()
    expect(
        widget.locator(".msg.customer[data-seq]", has_text="The family plan, please")
    ).to_have_count(1)
    expect(widget.get_by_label("Message")).to_be_focused()
    hugo.post(f"{base}/api/v1/chats/{task}/messages", json={"body": "Great choice."})
    expect(widget.get_by_text("Great choice.")).to_be_visible()

    widget.get_by_role("button", name="End chat").click()
    expect(widget.get_by_text("How did we do?")).to_be_visible()
    widget.get_by_text("5 stars").click()
    widget.get_by_label("Anything to add? (optional)").fill("Very helpful")
    page.screenshot(path=str(SCREENSHOTS / "chat-widget-rating.png"))
    widget.get_by_role("button", name="Send rating").click()
    expect(widget.get_by_text("Thank you for your rating.")).to_be_visible()
    page.reload()  # the ended chat comes back with its history, without a second rating form
    widget.get_by_role("button", name="Chat with us").click()
    expect(widget.get_by_text("This chat has ended. Thank you for your rating.")).to_be_visible()
    expect(widget.get_by_text("Great choice.")).to_be_visible()
    expect(widget.get_by_role("button", name="Send rating")).to_have_count(0)
    console.close()
    with runtime.db.session() as session:
        conversation = session.scalars(
            select(ChatConversation).where(ChatConversation.interaction_id == task)
        ).one()
        assert conversation.status == "closed" and conversation.closed_by == "customer"
        rating = session.scalars(select(CsatRating).where(CsatRating.interaction_id == task)).one()
        assert rating.score == 5 and rating.comment == "Very helpful"


def test_with_nobody_signed_in_the_customer_leaves_a_message(
    demo_app: Any, demo_floor: Any, chromium: Any, shop: _Shop
) -> None:
    """Field errors show by their field; with nobody signed in the customer leaves a message."""
    page = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    widget = _open_prechat(page, shop)
    widget.get_by_label("Your name").fill("Emily Dickinson")
    email = widget.get_by_label("Email (for a reply or the transcript)")
    email.fill("emily@example")
    start = widget.get_by_role("button", name=re.compile("Start chat|Continue"))
    start.click()
    expect(widget.get_by_text("Enter an email address like ann@example.com")).to_be_visible()
    expect(email).to_be_focused()
    expect(email).to_have_attribute("aria-invalid", "true")
    email.fill("emily@example.com")
    start.click()
    widget.get_by_role("button", name="3 · Talk to a person").click()
    form = widget.get_by_label("Leave us a message and we will reply by email")
    expect(form).to_be_visible()
    expect(widget.get_by_label("Message", exact=True)).to_be_hidden()
    widget.get_by_role("button", name="Send message").click()
    expect(widget.get_by_role("alert")).to_have_text("Write your message first.")
    form.fill("Do you sell left-handed trowels?")
    widget.get_by_role("button", name="Send message").click()
    expect(widget.get_by_text("we have your message and will reply by email")).to_be_visible()
    runtime = demo_app.extensions["contactcentre"]
    with runtime.db.session() as session:
        email_task = session.scalars(
            select(Interaction).where(
                Interaction.channel == "email", Interaction.from_address == "emily@example.com"
            )
        ).one()
        assert email_task is not None


def test_a_site_not_on_the_allowed_list_gets_no_chat(demo_floor: Any, chromium: Any) -> None:
    """On an origin the site does not list, the widget says chat is not available here."""
    stranger = _Shop(demo_floor.url)  # its origin is not in the demo site's list
    try:
        page = chromium.new_context().new_page()
        page.goto(stranger.url)
        widget = page.locator("[data-cc-chat=unavailable]")
        widget.get_by_role("button", name="Chat with us").click()
        expect(widget.get_by_text("Chat is not available on this site.")).to_be_visible()
        expect(widget.get_by_label("Your name")).to_have_count(0)
        refused = requests.get(
            f"{demo_floor.url}/chat/api/sites/{DEMO_WIDGET_KEY}",
            headers={"Origin": stranger.url},
            timeout=5,
        )
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "origin_not_allowed"
        assert "Access-Control-Allow-Origin" not in refused.headers
    finally:
        stranger.stop()


def test_the_widget_leaves_the_host_page_alone_and_works_by_keyboard(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """The host keeps its io, define and CSS; the widget is themed and works by keyboard."""
    host_globals = (
        "<script>window.io = 'the shop\\'s own io';"
        "window.define = function () {}; window.define.amd = {};</script>"
    )
    shop = _Shop(demo_floor.url, head=host_globals)
    with demo_app.extensions["contactcentre"].db.session() as session:
        site = session.scalars(select(ChatSite).where(ChatSite.widget_key == DEMO_WIDGET_KEY)).one()
        site.allowed_origins = [*site.allowed_origins, shop.url]
        session.commit()
    try:
        page = chromium.new_context().new_page()
        page.goto(shop.url)
        widget = page.locator("[data-cc-chat=ready]")
        launcher = widget.get_by_role("button", name="Chat with us")
        expect(launcher).to_be_visible()
        assert page.evaluate("window.io") == "the shop's own io"
        assert page.evaluate("typeof window.define === 'function' && !!window.define.amd")
        styles = launcher.evaluate(
            "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).letterSpacing]"
        )
        assert styles == ["rgb(45, 58, 46)", "normal"]  # the theme's primary, not the shop's red

        page.keyboard.press("Tab")
        expect(launcher).to_be_focused()
        page.keyboard.press("Enter")
        expect(widget.get_by_role("dialog", name="Demo shop · chat")).to_be_visible()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        expect(widget.get_by_label("Your name")).to_be_focused()
        page.keyboard.press("Escape")
        expect(widget.get_by_role("dialog")).to_be_hidden()
        expect(launcher).to_be_focused()
        expect(launcher).to_have_attribute("aria-expanded", "false")
    finally:
        shop.stop()


def test_a_message_lost_with_the_connection_is_sent_again_once(
    demo_floor: Any, chromium: Any, shop: _Shop
) -> None:
    """A message lost with the connection is resent with its client id and stored once."""
    dropped: list[str] = []
    line_back: list[bool] = []

    def lossy(ws: Any) -> None:
        if dropped and not line_back:
            ws.close()  # still down: the widget keeps trying
            return
        server = ws.connect_to_server()

        def from_page(frame: str | bytes) -> None:
            if isinstance(frame, str) and '"message"' in frame and not dropped:
                dropped.append(frame)
                ws.close()  # the line goes dead before the server sees it
                return
            server.send(frame)

        ws.on_message(from_page)

    page = chromium.new_context().new_page()
    page.route_web_socket(re.compile(r"/socket\.io/"), lossy)
    widget = _open_prechat(page, shop)
    widget.get_by_label("Your name").fill("Herman Melville")
    widget.get_by_role("button", name=re.compile("Start chat|Continue")).click()
    expect(widget.get_by_text("Hi Herman Melville")).to_be_visible()
    composer = widget.get_by_label("Message")
    composer.fill("Is the whaling harpoon in stock?")
    composer.press("Enter")

    sent = widget.locator(".msg.customer", has_text="Is the whaling harpoon in stock?")
    expect(widget.get_by_role("status")).to_have_text("Connection lost; reconnecting…")
    expect(sent).to_contain_text("Not sent yet")
    expect(sent.get_by_role("button", name=re.compile("^Retry sending"))).to_be_visible()
    line_back.append(True)
    expect(sent.and_(page.locator("[data-seq]"))).to_have_count(1, timeout=15_000)
    expect(sent).to_have_count(1)
    assert len(dropped) == 1
    client_id = re.search(r'"client_id":"([^"]+)"', dropped[0])
    assert client_id is not None
    saved = page.evaluate(f"JSON.parse(localStorage.getItem('cc-chat:{DEMO_WIDGET_KEY}'))")
    stored = requests.get(
        f"{demo_floor.url}/chat/api/conversations/{saved['conversationId']}/messages",
        headers={"Authorization": f"Bearer {saved['token']}", "Origin": shop.url},
        timeout=5,
    ).json()["messages"]
    mine = [m for m in stored if m["body"] == "Is the whaling harpoon in stock?"]
    assert [m["client_id"] for m in mine] == [client_id.group(1)]
