"""What the console's browser tests share: the demo's logins and caller, the waits a loaded CI
machine needs, signing in, and finding agents, customers and legs."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from contactcentre.store.models import Agent, Customer, CustomerPhone, User
from contactcentre.telephony.emulator import CallerScript
from tests.e2e.chat_console_fixtures import sign_in
from tests.e2e.floors import VoiceFloor

PASSWORD = "contactcentre-demo"  # the published demo password
CALLER = "+12025550105"  # a demo customer's number
WAIT_MS = 45_000  # a loaded CI machine: the browser waits this long for what it expects
WAIT_S = WAIT_MS / 1000
PATIENT = 3_600.0  # emulated seconds a scripted caller waits for each prompt


def sign_in_console(chromium: Any, base: str, email: str, path: str) -> Any:
    return sign_in(chromium, base, email, path, timeout_ms=WAIT_MS)


def demo_customer(app: Any, e164: str = CALLER) -> Customer:
    with app.extensions["contactcentre"].db.session() as session:
        customer: Customer = session.scalars(
            select(Customer).join(CustomerPhone).where(CustomerPhone.e164 == e164)
        ).one()
        session.expunge(customer)
        return customer


def caller_name(app: Any) -> str:
    return demo_customer(app).display_name


def agent_id_of(app: Any, email: str) -> int:
    with app.extensions["contactcentre"].db.session() as session:
        found: int = session.scalars(
            select(Agent.id).join(User, Agent.user_id == User.id).where(User.email == email)
        ).one()
        return found


def row_state(board: Any, name: str) -> str:
    row = board.locator("#agent-rows tr", has_text=name)
    return str(row.locator(".state-cell").inner_text())


def expect_state(board: Any, name: str, state: str) -> None:
    cell = board.locator("#agent-rows tr", has_text=name).locator(".state-cell")
    expect(cell).to_have_text(re.compile("^" + re.escape(state)), timeout=WAIT_MS)


def billing_caller(account_number: str) -> CallerScript:
    """English, billing, the account number: the main flow's verified billing intent."""
    return (
        CallerScript()
        .wait_for_prompt("For English", PATIENT)
        .press("1", PATIENT)
        .wait_for_prompt("For billing", PATIENT)
        .press("1", PATIENT)
        .wait_for_prompt("account number", PATIENT)
        .press(account_number + "#", PATIENT)
    )


def agent_leg_sid(floor: VoiceFloor, agent_id: int) -> str:
    legs = [c for c in floor.emulator.calls() if c.to == f"client:agent_{agent_id}"]
    return legs[-1].sid if legs else ""
