"""An agent leg survives its process dying around the carrier request: the leg the carrier made
is adopted from its own callbacks, and a request that never reached the carrier is given up and
the task requeued, so the caller is connected and nobody stays assigned to a dead call."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.telephony.emulator import AgentScript
from contactcentre.voice import agent_legs
from contactcentre.voice import call_state as cs
from tests.integration.realtime.live import eventually
from tests.integration.voice.calls import (
    CUSTOMER,
    NUMBER,
    accept_offer,
    event_types,
    interaction_for,
    offer_for,
    sign_in,
    support_caller,
)


class ProcessDied(Exception):
    """Stands for kill -9 at that line: nothing after it runs, the delivery stays pending."""


class DiesAroundTheRequest:
    """The real Telephony, except that the first agent leg request dies before or after it
    reaches the carrier."""

    def __init__(self, real: Any, *, after_the_carrier: bool) -> None:
        self._real, self._after, self.died = real, after_the_carrier, False

    def add_participant(self, *args: Any, **kwargs: Any) -> Any:
        if self.died:
            return self._real.add_participant(*args, **kwargs)
        self.died = True
        if self._after:
            self._real.add_participant(*args, **kwargs)  # the carrier makes the leg...
        raise ProcessDied  # ...and we never hear its CallSid

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.fixture
def dying(voice_app: Any, request: pytest.FixtureRequest) -> DiesAroundTheRequest:
    ctx = voice_app.extensions["voice"]
    wrapper = DiesAroundTheRequest(ctx.telephony, after_the_carrier=request.param)
    ctx.telephony = wrapper
    return wrapper


@pytest.mark.parametrize("dying", [True], indirect=True)
def test_a_leg_made_while_we_died_is_adopted_and_connects(
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, dying: Any
) -> None:
    """Killed after the carrier made the agent leg: its callbacks name the interaction, so the
    leg is linked, the agent joins and the caller is put through."""
    agent = floor["agents"][0]
    emulator.register_party(f"client:agent_{agent['agent_id']}", AgentScript(answer_after=1))
    sign_in(voice_client, agent)
    call = emulator.place_call(CUSTOMER, NUMBER, support_caller())
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    accept_offer(voice_app, voice_client, agent)
    eventually(lambda: dying.died, timeout=10)
    eventually(lambda: "answered" in event_types(voice_app, interaction.id), timeout=15)
    live = voice_app.extensions["voice"].calls.get(interaction.id)
    assert live.phase == cs.CONNECTED and live.agent_sid and not live.dialling


@pytest.mark.parametrize("dying", [False], indirect=True)
def test_a_request_that_never_reached_the_carrier_is_requeued(  # noqa: PLR0917
    voice_app: Any, voice_client: Any, emulator: Any, floor: Any, dying: Any, monkeypatch: Any
) -> None:
    """Killed before the request reached the carrier: no leg ever calls back, so the sweep gives
    the dial up, the task is offered again, and the second accept connects the caller."""
    monkeypatch.setattr(agent_legs, "AGENT_LEG_SHOWS_WITHIN_SECONDS", 0.5)
    ctx = voice_app.extensions["voice"]
    agent = floor["agents"][0]
    emulator.register_party(f"client:agent_{agent['agent_id']}", AgentScript(answer_after=1))
    sign_in(voice_client, agent)
    call = emulator.place_call(CUSTOMER, NUMBER, support_caller())
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    accept_offer(voice_app, voice_client, agent)
    eventually(lambda: dying.died, timeout=10)
    assert "answered" not in event_types(voice_app, interaction.id)
    eventually(lambda: agent_legs.sweep_lost_agent_legs(ctx) == 1, timeout=10)
    eventually(lambda: offer_for(voice_app, agent["agent_id"]), timeout=10)
    accept_offer(voice_app, voice_client, agent)
    eventually(lambda: "answered" in event_types(voice_app, interaction.id), timeout=15)
