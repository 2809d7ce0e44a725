"""The agent console's call bar follows the call as it changes, pushed over the socket: put on
hold and taken off it from elsewhere, then hung up by the caller, with no poll to bring it.

A real call through the Twilio emulator on the demo floor; the page never asks for the state.
"""

from __future__ import annotations

import re
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
    demo_customer,
    sign_in_console,
)
from tests.e2e.floors import VoiceFloor
from tests.integration.realtime.live import browser, eventually
from tests.integration.voice.calls import event_types

pytestmark = pytest.mark.e2e

# Every status the call bar shows, in order, as each new bar is drawn (a transient one, such as
# "call ended" just before wrap-up replaces the bar, is caught too).
WATCH_CALL_BAR = """() => {
  window.callBarSeen = [];
  const note = (bar) => window.callBarSeen.push(
    Array.from(bar.querySelectorAll(".status-tag")).map((t) => t.textContent).join(" "));
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => {
    if (n.nodeType !== 1) return;
    if (n.matches(".call-bar")) note(n);
    n.querySelectorAll(".call-bar").forEach(note);
  }))).observe(document.body, { childList: true, subtree: true });
}"""


def test_call_bar_shows_hold_and_the_callers_hang_up_as_they_happen(
    voice_floor: VoiceFloor, chromium: Any
) -> None:
    """With no poll in the console, the call bar still turns "on hold", back, and "call ended"
    when the call changes outside the page: the only way that news arrives is the push."""
    app, base, emulator = voice_floor.app, voice_floor.url, voice_floor.emulator
    ana_id = agent_id_of(app, "agent1@example.com")  # billing 9: the call is hers
    emulator.register_party(f"client:agent_{ana_id}", AgentScript(answer_after=1))
    ana = sign_in_console(chromium, base, "agent1@example.com", "/console")
    ana.get_by_text("● Live").wait_for()
    ana.get_by_role("button", name="Available").click()
    ana.locator("#state-badge", has_text="Available").wait_for()
    asked: list[str] = []
    ana.on(
        "request",
        lambda r: (
            asked.append(r.url)
            if r.method == "GET" and re.search(r"/api/v1/calls/(?!token)[^/]+$", r.url)
            else None
        ),
    )
    ana.evaluate(WATCH_CALL_BAR)

    customer = demo_customer(app)
    assert customer.account_number
    call = emulator.place_call(CALLER, voice_floor.number, billing_caller(customer.account_number))
    expect(ana.locator(".offer")).to_contain_text(customer.display_name, timeout=WAIT_MS)
    ana.keyboard.press("Enter")  # accept
    bar = ana.locator(".call-bar")
    expect(bar.locator(".call-status")).to_have_text("connected", timeout=WAIT_MS)
    interaction_id = str(bar.get_attribute("data-task"))
    conference = eventually(lambda: emulator.conference(f"cc-{interaction_id}"), timeout=WAIT_S)
    agent_leg = eventually(lambda: agent_leg_sid(voice_floor, ana_id), timeout=WAIT_S)
    eventually(lambda: call.sid in conference.audible_to(agent_leg), timeout=WAIT_S)

    # Her other tab (the same session's API) holds the caller; this page learns it pushed.
    elsewhere = browser(base, "agent1@example.com", PASSWORD)
    hold = f"{base}/api/v1/calls/{interaction_id}/hold"
    assert elsewhere.post(hold, json={"on": True}).status_code == 200
    expect(bar.locator('.status-tag[data-status="hold"]')).to_have_text("on hold")
    expect(bar.get_by_role("button", name="Unhold")).to_have_attribute("aria-pressed", "true")
    assert elsewhere.post(hold, json={"on": False}).status_code == 200
    expect(bar.locator('.status-tag[data-status="hold"]')).to_have_count(0)
    expect(bar.get_by_role("button", name="Hold")).to_have_attribute("aria-pressed", "false")

    # The caller hangs up: the bar says so, then routing's end of the contact opens wrap-up.
    emulator.carrier.hang_up(call.sid)
    ana.locator(".wrap-up").wait_for()
    seen = ana.evaluate("window.callBarSeen")
    assert any("call ended" in statuses for statuses in seen), seen
    assert seen.index(next(s for s in seen if "on hold" in s)) < seen.index(
        next(s for s in seen if "call ended" in s)
    )
    assert asked == [], f"the console asked for the call's state: {asked}"
    eventually(lambda: "completed" in event_types(app, interaction_id), timeout=WAIT_S)
