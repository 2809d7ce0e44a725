"""The screen pop's IVR path in words: real walks through config/ivr/main.yaml, described."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from contactcentre.cti.ivr_path import describe_path
from ivr import CallerHangup, CallerInput, Digits, NoInput, PathEntry, Speech, load_flow
from tests.unit.ivr.fakes import (
    GOLD_CALLER,
    MAIN_FLOW,
    NEW_YORK,
    OPEN_TIME,
    UNKNOWN_CALLER,
    call,
    main_engine,
)

FLOW = load_flow(MAIN_FLOW)


def described(
    answers: Sequence[CallerInput], caller: str = GOLD_CALLER, now: datetime = OPEN_TIME
) -> list[str]:
    engine, _, _, _ = main_engine()
    step = engine.start(call(caller, now))
    for answer in answers:
        step = engine.advance(step.state, answer, now)
    return describe_path(step.path, FLOW)


def test_verified_billing_reads_as_menus_choices_and_verification() -> None:
    """English, billing, a valid account number: no node ids, no greetings or plumbing."""
    assert described([Digits("1"), Digits("1"), Digits("12345678#")]) == [
        "Choose language",
        "English",
        "Recognised by phone number",
        "Main menu",
        "Billing",
        "Verified by account number",
    ]


def test_failed_verification_and_reprompts() -> None:
    """Three wrong account numbers read once as not verified; an unknown number says so."""
    wrong = Digits("99999999#")
    assert described([Digits("1"), Digits("1"), wrong, wrong, wrong], UNKNOWN_CALLER) == [
        "Choose language",
        "English",
        "Number not on file",
        "Main menu",
        "Billing",
        "Not verified by account number",
    ]


def test_spoken_choices_read_in_the_agents_language() -> None:
    """A caller who says 'español' and 'soporte' reads as Spanish and Support to the agent."""
    steps = described([Speech("español", 0.9), Speech("soporte", 0.9)])
    assert steps[:2] == ["Choose language", "Spanish"]
    assert steps[-2:] == ["Main menu", "Support"]


def test_out_of_hours_voicemail() -> None:
    """Closed: the caller's choice in the closed menu and the voicemail they left."""
    night = datetime(2025, 3, 11, 22, 0, tzinfo=NEW_YORK)
    assert described([Digits("1"), Digits("1")], now=night) == [
        "Choose language",
        "English",
        "Called out of hours",
        "Closed menu",
        "Message",
        "Left a voicemail",
    ]


def test_no_choice_and_hang_up() -> None:
    """Silence until the menu gives up reads 'No choice made'; a hang-up ends the path."""
    silence = [NoInput()] * 3
    assert described([Digits("1"), *silence])[-2:] == ["Main menu", "No choice made"]
    assert described([Digits("1"), CallerHangup()])[-2:] == ["Main menu", "Hung up"]


def test_trace_of_another_flow_is_humanised() -> None:
    """A node this flow does not have (an older flow's trace) shows its id as words."""
    assert describe_path([PathEntry("old_vip_menu", "1", "option 1 -> x")], FLOW) == [
        "Old vip menu"
    ]
