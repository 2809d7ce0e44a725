"""The agent console and the live board in a real browser, on the demo floor with a live router.

The call scenario dials in through the Twilio emulator: IVR, queue, offer, the agent's leg.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from contactcentre.telephony.emulator import AgentScript
from tests.e2e.console_helpers import (
    CALLER,
    PASSWORD,
    WAIT_MS,
    WAIT_S,
    agent_id_of,
    agent_leg_sid,
    billing_caller,
    caller_name,
    demo_customer,
    expect_state,
    row_state,
    sign_in_console,
)
from tests.e2e.floors import SCREENSHOTS, VoiceFloor
from tests.integration.realtime.live import browser, eventually
from tests.integration.voice.calls import event_types

pytestmark = pytest.mark.e2e


def test_call_through_the_emulator_pops_accepts_wraps_up_and_shows_on_the_board(
    voice_floor: VoiceFloor, chromium: Any
) -> None:
    """A known customer's billing call, dialled through the emulator, reaches the billing agent
    (not the support agent) with their pop before accepting, even across a reconnect; the agent's
    leg joins the caller on accept; hang up and wrap up; the board shows every state change."""
    app, base, emulator = voice_floor.app, voice_floor.url, voice_floor.emulator
    ana_id = agent_id_of(app, "agent1@example.com")  # billing 9
    dev_id = agent_id_of(app, "agent4@example.com")  # tech support 9
    for agent_id in (ana_id, dev_id):  # softphones that answer as a person and stay on the line
        emulator.register_party(f"client:agent_{agent_id}", AgentScript(answer_after=1))
    ana = sign_in_console(chromium, base, "agent1@example.com", "/console")
    dev = sign_in_console(chromium, base, "agent4@example.com", "/console")
    board = sign_in_console(chromium, base, "supervisor@example.com", "/board")
    for page in (ana, dev):
        page.get_by_text("● Live").wait_for()
        page.get_by_role("button", name="Available").click()
        page.locator("#state-badge", has_text="Available").wait_for()
    expect_state(board, "Ana García", "Available")
    expect_state(board, "Dev Patel", "Available")

    # The laptop drops off the network just before the call comes in.
    ana.evaluate("window.consoleSocket.socket.disconnect()")
    ana.locator("#connection", has_text="reconnecting").wait_for()
    customer = demo_customer(app)
    assert customer.account_number
    call = emulator.place_call(CALLER, voice_floor.number, billing_caller(customer.account_number))
    boss = browser(base, "supervisor@example.com", PASSWORD)
    offers = eventually(
        lambda: boss.get(f"{base}/api/v1/agents/{ana_id}/desk").json()["offers"], timeout=WAIT_S
    )
    interaction_id = offers[0]["task_id"]
    ana.evaluate("window.consoleSocket.socket.connect()")

    offer = ana.locator(".offer")
    expect(offer).to_contain_text(customer.display_name, timeout=WAIT_MS)
    pop = ana.locator("#customer-pane")
    pop.get_by_role("heading", name=customer.display_name).wait_for()
    why = pop.get_by_role("region", name="Why they called")
    expect(why).to_contain_text("Intentbilling", timeout=WAIT_MS)
    # The IVR path in words (cti.ivr_path), never the engine's trace or the keys pressed.
    expect(why).to_contain_text("Main menu → Billing → Verified by account number")
    assert "0042" not in why.inner_text()
    assert dev.locator(".offer").count() == 0
    assert boss.get(f"{base}/api/v1/agents/{dev_id}/desk").json()["offers"] == []
    expect_state(board, "Ana García", "On contact")
    ana.screenshot(path=str(SCREENSHOTS / "console-offer.png"))

    ana.keyboard.press("Enter")  # accept
    ana.locator(".call-bar").wait_for()
    conference = eventually(lambda: emulator.conference(f"cc-{interaction_id}"), timeout=WAIT_S)
    agent_leg = eventually(lambda: agent_leg_sid(voice_floor, ana_id), timeout=WAIT_S)
    eventually(lambda: call.sid in conference.audible_to(agent_leg), timeout=WAIT_S)
    assert not agent_leg_sid(voice_floor, dev_id)
    assert "billing enquiry" in ana.locator(".script").inner_text().lower()
    assert "this is Ana García" in ana.locator(".script").inner_text()
    ana.screenshot(path=str(SCREENSHOTS / "console-call.png"))

    # The supervisor listens in from the board, whispers to Ana, leaves; the call goes on.
    board.locator("#agent-rows tr", has_text="Ana García").click()
    on_call = board.locator(".call-actions-group")
    on_call.get_by_role("button", name="Listen").click()
    expect(on_call.locator(".call-mode")).to_have_text("Listening (muted)", timeout=WAIT_MS)
    boss_leg = next(p for p in conference.participants.values() if p.label.startswith("superv"))
    assert boss_leg.muted and boss_leg.call_sid not in conference.audible_to(call.sid)
    on_call.get_by_role("button", name="Whisper").click()
    expect(on_call.get_by_role("button", name="Whisper")).to_have_attribute("aria-pressed", "true")
    eventually(lambda: boss_leg.call_sid in conference.audible_to(agent_leg), timeout=WAIT_S)
    assert boss_leg.call_sid not in conference.audible_to(call.sid)
    on_call.get_by_role("button", name="Leave").click()
    expect(on_call.locator(".call-mode")).to_have_text("Not on the call", timeout=WAIT_MS)
    assert call.sid in conference.audible_to(agent_leg)
    board.locator("#agent-rows tr", has_text="Ana García").click()  # close the actions

    ana.get_by_role("button", name="Hang up").click()
    call.wait_until_over(timeout=WAIT_S)
    ana.locator(".wrap-up").wait_for()
    expect_state(board, "Ana García", "Wrap-up")
    ana.get_by_role("button", name="Done").click()
    expect(ana.locator("#wrap-code-error")).to_contain_text("required")
    ana.get_by_label("Disposition (required)").select_option("follow_up")
    ana.get_by_role("button", name="Done").click()
    ana.locator("#wrap-notes-error", has_text="note").wait_for()
    ana.get_by_label("Notes (required for this outcome)").fill("Send the corrected invoice.")
    ana.get_by_role("button", name="Done").click()
    ana.locator(".wrap-up").wait_for(state="detached")
    expect_state(board, "Ana García", "Available")
    ana.locator("#stat-handled", has_text="1").wait_for()
    detail = boss.get(f"{base}/api/v1/interactions/{interaction_id}").json()["interaction"]
    assert detail["disposition"] == "follow_up"
    kinds = eventually(
        lambda: (k := event_types(app, interaction_id)) and "completed" in k and k, timeout=WAIT_S
    )
    assert kinds.index("offered") < kinds.index("accepted") < kinds.index("answered")


def test_board_changes_an_agents_state_and_shows_the_queue(
    demo_app: Any, demo_floor: Any, chromium: Any
) -> None:
    """A supervisor puts an agent on break from the board; waiting calls show on their queue."""
    base = demo_floor.url
    dev = sign_in_console(chromium, base, "agent4@example.com", "/console")
    dev.get_by_text("● Live").wait_for()
    dev.get_by_role("button", name="Available").click()
    board = sign_in_console(chromium, base, "supervisor@example.com", "/board")
    eventually(lambda: row_state(board, "Dev Patel").startswith("Available"))
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
    eventually(lambda: row_state(board, "Dev Patel").startswith("Break · coaching"))
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
    ana = sign_in_console(chromium, base, "agent1@example.com", "/console")
    name = caller_name(demo_app)
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
