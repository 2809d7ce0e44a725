"""The screen pop built from our own records: identification, value, history, notes, script."""

from __future__ import annotations

from typing import Any

from contactcentre.cti.pop import build_pop
from contactcentre.store.models import Interaction


def _pop(runtime: Any, interaction_id: str) -> dict[str, Any]:
    with runtime.db.session() as session:
        interaction = session.get(Interaction, interaction_id)
        assert interaction is not None
        return build_pop(session, interaction, "US")


def test_caller_is_identified_by_number_in_any_format(
    runtime: Any, customer: int, make_contact: Any
) -> None:
    """A caller ID written nationally finds the customer stored in E.164."""
    contact = make_contact(attributes={"caller": "(202) 555-0177", "intent": "billing"})
    pop = _pop(runtime, contact)
    assert pop["customer"]["id"] == customer
    assert pop["unknown"] is False


def test_pop_carries_value_risk_notes_and_script(
    runtime: Any, customer: int, make_contact: Any
) -> None:
    """Segment and CLV, the retention offer when at risk, open notes, IVR path and the script."""
    path = ["welcome", "main_menu", "billing"]
    contact = make_contact(
        customer_id=customer, attributes={"intent": "billing", "ivr_path": path, "language": "en"}
    )
    pop = _pop(runtime, contact)
    assert pop["customer"]["segment"] == "gold"
    assert pop["customer"]["clv"] == 3200.0
    assert pop["retention"] == {
        "offer": "waive next month's fee",
        "reasons": [{"rule": "manual", "text": "marked at risk by hand"}],
    }
    assert [n["body"] for n in pop["notes"]] == ["Prefers email follow-ups."]
    assert pop["ivr"] == {"path": path, "intent": "billing", "verified": None}
    assert pop["script"]["title"] == "Billing enquiry"
    assert "Ada Byron" in pop["script"]["steps"][0]["say"]


def test_history_lists_earlier_contacts_with_outcomes(
    runtime: Any, customer: int, make_contact: Any
) -> None:
    """The last interactions appear newest first with their outcome, never the current one."""
    earlier = make_contact(customer_id=customer, status="completed", desk_status=None)
    current = make_contact(customer_id=customer)
    pop = _pop(runtime, current)
    assert [h["interaction_id"] for h in pop["history"]] == [earlier]
    assert pop["history"][0]["outcome"] == "completed"


def test_unknown_caller_gets_a_prefilled_new_customer_form(runtime: Any, make_contact: Any) -> None:
    """No match for the number: the pop offers a new-customer form with the number filled in."""
    contact = make_contact(attributes={"caller": "+14155550999", "language": "es"})
    pop = _pop(runtime, contact)
    assert pop["customer"] is None
    assert pop["new_customer"] == {"phone": "+14155550999", "language": "es"}
    assert pop["retention"] is None


def test_ivr_path_shows_the_steps_in_words(runtime: Any, customer: int, make_contact: Any) -> None:
    """The pop shows the IVR path the voice channel described in words, never the raw trace."""
    raw = ["main_menu [digits:1] -> option 1 -> collect_account"]
    steps = ["Main menu", "Billing", "Verified by account number"]
    contact = make_contact(
        customer_id=customer, attributes={"ivr_path": raw, "ivr_steps": steps, "verified": True}
    )
    assert _pop(runtime, contact)["ivr"]["path"] == steps


def test_an_unknown_callers_script_asks_who_they_are(runtime: Any, make_contact: Any) -> None:
    """A caller not on record is asked their name; no script line is left with a blank name."""
    contact = make_contact(attributes={"caller": "+14155550999", "intent": "billing"})
    greeting = _pop(runtime, contact)["script"]["steps"][0]["say"]
    assert "May I have your name" in greeting
    assert "speaking with ?" not in greeting and "{customer" not in greeting


def test_every_script_step_naming_the_customer_can_greet_a_stranger() -> None:
    """Each shipped script step with a customer placeholder has a say_unknown without one."""
    from contactcentre.cti.scripts import load_scripts

    for script in load_scripts().values():
        for title, say, unknown in script.steps:
            if "{customer" in say:
                assert unknown != say and "{customer" not in unknown, (script.key, title)
