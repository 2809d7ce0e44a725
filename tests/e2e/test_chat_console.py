"""Chat in the agent console and chat supervision on the live board, in a real browser against
the live app and router: offers, conversation, canned responses, typing, several chats at once,
ending and wrap-up; monitor, whisper and barge from the board."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.chat_console_fixtures import (
    SUPERVISOR,
    accept_offer,
    available_agent,
    customer_history,
    open_chat_site,
    sign_in,
    visitor_wanting_an_agent,
)
from tests.e2e.floors import SCREENSHOTS
from tests.integration.realtime.live import eventually

pytestmark = pytest.mark.e2e


def _bodies(customer: Any) -> list[str]:
    return [m["body"] for m in customer.messages()]


def test_agent_handles_a_chat_in_the_console(demo_app: Any, demo_floor: Any, chromium: Any) -> None:
    """An accepted chat is handled end to end in the console: history, replies, typing, wrap-up."""
    base = demo_floor.url
    open_chat_site(demo_app, base, canned=True)
    grace = available_agent(chromium, base)
    walt = visitor_wanting_an_agent(base, "Walt")
    try:
        accept_offer(grace)
        chat = grace.locator("section.chat")
        chat.get_by_text("I'm passing you to one of our team").wait_for()
        expect(chat.locator(".chat-msg.bot").first).to_contain_text("(bot)")
        expect(chat.locator(".chat-msg.customer").first).to_contain_text("Walt")
        eventually(lambda: any("Grace Kim joined" in b for b in _bodies(walt)), timeout=15)

        reply = chat.get_by_label("Reply to the customer")
        reply.fill("Hello Walt, happy to help.")
        reply.press("Enter")
        eventually(lambda: "Hello Walt, happy to help." in _bodies(walt))
        expect(reply).to_have_value("")

        walt.sio.call("typing", {"active": True}, namespace="/chat", timeout=10)
        expect(chat.locator(".chat-typing")).to_have_text("Walt is typing…")
        walt.say("Do you ship to Canada?")
        chat.get_by_text("Do you ship to Canada?").wait_for()
        expect(chat.locator(".chat-typing")).to_have_text("")

        reply.press("/")  # "/" in the empty box opens the canned responses
        chat.get_by_role("button", name="Short greeting").click()
        expect(reply).to_have_value("Hi Walt, I'm Grace Kim.")
        reply.press("Enter")
        eventually(lambda: "Hi Walt, I'm Grace Kim." in _bodies(walt))

        reply.fill("x" * 2001)
        reply.press("Enter")
        expect(chat.locator(".chat-error")).to_have_text(
            "Messages are limited to 2000 characters; this one has 2001."
        )
        reply.fill("")

        grace.get_by_role("button", name="End contact").click()
        eventually(lambda: walt.of("closed"))
        chat.get_by_text("The chat has ended. Choose a disposition to finish.").wait_for()
        grace.get_by_role("button", name="Done").click()
        grace.get_by_text("Choose a disposition: it is required.").wait_for()
        grace.get_by_label("Disposition").select_option("resolved")
        grace.get_by_role("button", name="Done").click()
        grace.locator("#work-empty").wait_for()
    finally:
        walt.close()


def test_two_chats_at_once_show_as_cards_with_unread_counts(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """Two chats are two cards; messages in the one not shown count as unread until opened."""
    base = demo_floor.url
    open_chat_site(demo_app, base)
    grace = available_agent(chromium, base)
    walt = visitor_wanting_an_agent(base, "Walt")
    xena = None
    try:
        accept_offer(grace)
        grace.locator("section.chat").get_by_text("I'm passing you to one of our team").wait_for()
        xena = visitor_wanting_an_agent(base, "Xena")
        accept_offer(grace)
        cards = grace.locator(".work-item")
        expect(cards).to_have_count(2)
        walt_card = cards.filter(has_text="Walt")
        xena_card = cards.filter(has_text="Xena")
        expect(xena_card).to_have_attribute("aria-selected", "true")
        grace.locator("section.chat").get_by_text("Xena", exact=True).first.wait_for()

        walt.say("Hello? Anyone there?")
        walt.say("I need an answer today.")
        expect(walt_card.locator(".unread")).to_have_text("2 new")
        xena.say("Hi, I am Xena.")
        grace.locator("section.chat").get_by_text("Hi, I am Xena.").wait_for()
        expect(xena_card.locator(".unread")).to_have_count(0)
        grace.screenshot(path=str(SCREENSHOTS / "console-chat.png"))

        walt_card.click()
        chat = grace.locator("section.chat")
        chat.get_by_text("I need an answer today.").wait_for()
        expect(walt_card.locator(".unread")).to_have_count(0)
        chat.get_by_label("Reply to the customer").fill("Sorry for the wait, Walt.")
        chat.get_by_label("Reply to the customer").press("Enter")
        eventually(lambda: "Sorry for the wait, Walt." in _bodies(walt))
        assert "Sorry for the wait, Walt." not in _bodies(xena)
    finally:
        walt.close()
        if xena is not None:
            xena.close()


def test_supervisor_monitors_whispers_and_barges_from_the_board(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """Monitoring follows a chat live, moves no read marks; whispers stay private; barge writes."""
    base = demo_floor.url
    open_chat_site(demo_app, base)
    grace = available_agent(chromium, base)
    walt = visitor_wanting_an_agent(base, "Walt")
    try:
        accept_offer(grace)
        agent_chat = grace.locator("section.chat")
        agent_chat.get_by_text("I'm passing you to one of our team").wait_for()

        boss = sign_in(chromium, base, SUPERVISOR, "/board")
        reads: list[str] = []
        boss.on("request", lambda r: reads.append(r.url) if r.url.endswith("/read") else None)
        row = boss.locator("#agent-rows tr", has_text="Grace Kim")
        expect(row).to_contain_text("chat")
        row.click()
        boss.get_by_role("button", name="Monitor chat").click()
        monitor = boss.get_by_role("region", name="Chat monitor")
        monitor.get_by_text("I'm passing you to one of our team").wait_for()
        expect(monitor.locator(".monitor-live")).to_have_text("● Live")

        walt.say("Where is my parcel?")
        monitor.get_by_text("Where is my parcel?").wait_for()
        agent_chat.get_by_label("Reply to the customer").fill("Let me check, Walt.")
        agent_chat.get_by_label("Reply to the customer").press("Enter")
        monitor.get_by_text("Let me check, Walt.").wait_for()

        whisper = monitor.get_by_label("Whisper to Grace Kim")
        whisper.fill("Offer free shipping")
        whisper.press("Enter")
        note = agent_chat.locator(".chat-msg.whisper", has_text="Offer free shipping")
        expect(note).to_contain_text("Only you can see this")
        monitor.locator(".chat-msg.whisper", has_text="Offer free shipping").wait_for()
        assert all(m["body"] != "Offer free shipping" for m in customer_history(walt))
        assert "Offer free shipping" not in _bodies(walt)

        monitor.get_by_role("button", name="Barge in").click()
        eventually(lambda: "Sam Supervisor (supervisor) joined the chat." in _bodies(walt))
        say = monitor.get_by_label("Message to the customer")
        say.fill("Your parcel leaves today.")
        say.press("Enter")
        eventually(lambda: "Your parcel leaves today." in _bodies(walt))
        said = [m for m in customer_history(walt) if m["body"] == "Your parcel leaves today."]
        assert said[0]["author"]["kind"] == "supervisor"
        agent_chat.locator(".chat-msg.supervisor", has_text="Your parcel leaves today.").wait_for()
        boss.get_by_role("button", name="State", exact=True).click()  # agents on contact first
        boss.screenshot(path=str(SCREENSHOTS / "board-chat-monitor.png"))
        assert reads == []
    finally:
        walt.close()


def test_transferred_chat_reaches_the_other_agent_with_its_history(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """A chat transferred to another agent is offered to them with the whole conversation."""
    base = demo_floor.url
    open_chat_site(demo_app, base)
    grace = available_agent(chromium, base)
    walt = visitor_wanting_an_agent(base, "Walt")
    try:
        accept_offer(grace)
        chat = grace.locator("section.chat")
        chat.get_by_label("Reply to the customer").fill("Let me pass you to Hugo.")
        chat.get_by_label("Reply to the customer").press("Enter")
        eventually(lambda: "Let me pass you to Hugo." in _bodies(walt))
        hugo = available_agent(chromium, base, "agent8@example.com")  # Hugo Silva, sales 7

        grace.get_by_role("button", name="Transfer…").click()
        form = grace.get_by_role("form", name="Transfer")
        expect(form.get_by_label("Number (external)")).to_have_count(0)
        form.get_by_label("Transfer to").select_option(label="Agent: Hugo Silva")
        form.get_by_role("button", name="Transfer").click()
        accept_offer(hugo)
        hugo.locator("section.chat").get_by_text("Let me pass you to Hugo.").wait_for()
        eventually(lambda: any("Hugo Silva joined" in b for b in _bodies(walt)), timeout=15)
        # Grace's share of the contact is in wrap-up; Hugo's assignment is not taken for hers.
        expect(grace.locator(".work-item .status-tag")).to_have_text("wrap-up")
        expect(grace.locator(".work-item .channel")).to_have_attribute("aria-label", "chat")
        expect(hugo.locator(".work-item .status-tag")).to_have_text("in progress")
    finally:
        walt.close()
