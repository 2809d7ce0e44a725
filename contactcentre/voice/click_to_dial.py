"""Click-to-dial: ring the agent's leg first, and when the agent is in the call's conference,
dial the customer with the configured caller ID. The call is an outbound interaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from contactcentre.customers.errors import InvalidPhone
from contactcentre.customers.phones import normalize_phone
from contactcentre.interactions.opening import open_interaction
from contactcentre.store.models import Agent, Customer, Interaction
from contactcentre.voice import call_state as cs
from contactcentre.voice import twiml
from contactcentre.voice.agent_legs import agent_address
from contactcentre.voice.context import VoiceContext


class DialError(ValueError):
    """The number or customer cannot be dialled; `field` names the request field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PlacedCall:
    interaction_id: str
    call_sid: str


def customer_number(session: Session, customer_id: int) -> str:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.erased_at is not None:
        raise DialError("customer_id", f"no customer with id {customer_id}")
    phones = sorted(customer.phones, key=lambda p: not p.primary)
    if not phones:
        raise DialError("customer_id", f"customer {customer_id} has no phone number")
    return phones[0].e164


def dialable_number(raw: str, region: str) -> str:
    try:
        return normalize_phone(raw, region)
    except InvalidPhone as exc:
        raise DialError("number", f"cannot dial {raw!r}: {exc}") from None


def place_call(
    ctx: VoiceContext, agent: Agent, customer_id: int | None, number: str | None
) -> PlacedCall:
    now = ctx.clock()
    with ctx.db.session() as session:
        if customer_id is not None:
            e164 = customer_number(session, customer_id)
        else:
            e164 = dialable_number(number or "", ctx.settings.default_phone_region)
        # The call's SID is known only once the agent's leg is placed: no external id yet.
        interaction = open_interaction(
            session,
            channel="outbound",
            direction="outbound",
            status="dialing",
            customer_id=customer_id,
            agent_id=agent.id,
            to_address=e164,
            attributes={"caller": e164, "caller_kind": "number", "click_to_dial": True},
            actor=f"agent:{agent.id}",
            details={"click_to_dial": True},
            at=now,
        ).interaction
        address = agent_address(agent, str(agent.id))
    iid = interaction.id
    ctx.calls.put(
        cs.LiveCall(
            iid,
            phase=cs.CONNECTING,
            direction="outbound",
            customer_number=e164,
            agent_id=str(agent.id),
            conference=cs.conference_name(iid),
            routed=0,
        )
    )
    leg = ctx.telephony.call(
        address, ctx.settings.twilio_caller_id, ctx.urls.agent_leg(iid), ctx.urls.status()
    )
    ctx.calls.link_leg(leg.call_sid, iid, "agent")
    ctx.calls.update(iid, agent_sid=leg.call_sid)
    with ctx.db.session() as session:
        row = session.get(Interaction, iid)
        if row is not None:
            row.external_id = leg.call_sid
    return PlacedCall(iid, leg.call_sid)


def agent_leg_twiml(ctx: VoiceContext, interaction_id: str, params: dict[str, str]) -> str:
    """The agent answered: into the conference (the customer is dialled when they are in)."""
    call = ctx.calls.get(interaction_id)
    if call is None or call.phase != cs.CONNECTING:
        return twiml.hang_up()
    seat = twiml.ConferenceSeat(
        conference=call.conference,
        label="agent",
        ends_on_exit=False,
        events_url=ctx.urls.conference_events(),
    )
    return twiml.join_conference(seat)
