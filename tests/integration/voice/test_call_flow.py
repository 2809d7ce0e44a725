"""Full paths through the emulator with the real router: IVR, queue, agent, transfers, hang-up."""

from __future__ import annotations

from typing import Any

from contactcentre.telephony.emulator import AgentScript, CallerScript
from tests.integration.router.conftest import eventually
from tests.integration.voice.conftest import (
    CUSTOMER,
    NUMBER,
    accept_offer,
    event_types,
    interaction_for,
    sign_in,
)


def _connected(app: Any, client: Any, emulator: Any, floor: Any, caller: Any) -> tuple[Any, str]:
    """Call in, choose English and support, get accepted by the first agent and answered."""
    first = floor["agents"][0]
    emulator.register_party(f"client:agent_{first['agent_id']}", AgentScript(answer_after=1))
    sign_in(client, first)
    call = emulator.place_call(CUSTOMER, NUMBER, caller)
    interaction = eventually(lambda: interaction_for(app, call.sid))
    accept_offer(app, client, first)
    eventually(lambda: "answered" in event_types(app, interaction.id), timeout=10)
    conference = eventually(lambda: emulator.conference(f"cc-{interaction.id}"), timeout=10)
    eventually(lambda: call.sid in conference.audible_to(_agent_leg(emulator, first)), timeout=10)
    return call, interaction.id


def _agent_leg(emulator: Any, agent: Any) -> str:
    legs = [c for c in emulator.calls() if c.to == f"client:agent_{agent['agent_id']}"]
    return legs[0].sid if legs else ""


def _support_caller() -> CallerScript:
    return (
        CallerScript()
        .wait_for_prompt("For English")
        .press("1")
        .wait_for_prompt("For billing")
        .press("2")
    )


def test_call_reaches_an_agent_through_ivr_and_queue(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any
) -> None:
    """A call goes IVR -> queue -> agent conference, and the screen pop attributes are set."""
    call, iid = _connected(voice_app, voice_client, emulator, floor, _support_caller())
    interaction = interaction_for(voice_app, call.sid)
    assert interaction is not None
    attributes = interaction.attributes
    assert attributes["intent"] == "technical_support"
    assert attributes["language"] == "en"
    assert attributes["caller"] == CUSTOMER
    assert attributes["caller_kind"] == "number"
    assert any(step.startswith("main_menu") for step in attributes["ivr_path"])
    kinds = event_types(voice_app, iid)
    assert kinds[0] == "created"
    assert kinds.index("ivr_step") < kinds.index("queued") < kinds.index("offered")
    assert kinds.index("accepted") < kinds.index("answered")
