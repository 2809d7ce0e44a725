"""Callback booking in the IVR: offer the scheduler's next free slots by key, book the chosen
one and confirm it; the RequestCallback action tells the app which slot was booked."""

from __future__ import annotations

import re
from datetime import datetime

from ivr.actions import Choice, Gather, RequestCallback, Say
from ivr.inputs import CallerInput, Digits, NoInput, Speech
from ivr.menus import retry_or_give_up
from ivr.nodes import BookCallbackNode
from ivr.selfservice import format_slot
from ivr.turn import Transition, Turn


def _slot_text(turn: Turn, slot: dict[str, str]) -> str:
    return format_slot(datetime.fromisoformat(slot["start"]), turn.flow.timezone, turn.language)


def booking_gather(turn: Turn, node: BookCallbackNode) -> Gather:
    slots = turn.session.offered_slots
    prompt: list[Say] = [turn.say(node.intro)]
    choices = []
    for number, slot in enumerate(slots, start=1):
        spoken = _slot_text(turn, slot)
        prompt.append(turn.say(node.slot_prompt, {"slot": spoken, "key": number}))
        choices.append(Choice(str(number), spoken))
    return Gather(
        node_id=node.id,
        kind="both",
        language=turn.language,
        prompt=tuple(prompt),
        num_digits=1,
        timeout=node.retry.timeout,
        hints=tuple(str(n) for n in range(1, len(slots) + 1)),
        choices=tuple(choices),
    )


def enter_booking(turn: Turn, node: BookCallbackNode) -> Transition:
    session = turn.session
    customer_id = session.attributes.get("customer_id")
    slots = turn.ports.callbacks.offer_slots(
        None if customer_id is None else str(customer_id),
        session.caller_number,
        turn.now,
        node.max_slots,
    )[: node.max_slots]
    if not slots:
        session.visit(node.id, None, f"no slots -> {node.no_slots}")
        return Transition(goto=node.no_slots)
    session.offered_slots = [{"id": s.slot_id, "start": s.start.isoformat()} for s in slots]
    session.attempts = 0
    return Transition([booking_gather(turn, node)], wait=True)


def answer_booking(turn: Turn, node: BookCallbackNode, answer: CallerInput) -> Transition:
    session = turn.session
    gather = booking_gather(turn, node)
    heard = answer.describe()
    if isinstance(answer, NoInput):
        return retry_or_give_up(
            turn, node.id, node.retry, failure="no_input", heard=heard, gather=gather
        )
    slot = _chosen(answer, session.offered_slots, turn.flow.min_confidence)
    if slot is None:
        return retry_or_give_up(
            turn, node.id, node.retry, failure="invalid", heard=heard, gather=gather
        )
    customer_id = session.attributes.get("customer_id")
    customer = None if customer_id is None else str(customer_id)
    if not turn.ports.callbacks.book(slot["id"], session.caller_number, customer):
        # Someone else took the slot between offer and answer: offer fresh ones.
        session.visit(node.id, heard, "slot taken, offer again")
        return enter_booking(turn, node)
    session.visit(node.id, heard, f"booked {slot['id']} -> {node.next}")
    session.offered_slots = []
    session.attempts = 0
    request = RequestCallback(
        number=session.caller_number,
        slot_id=slot["id"],
        slot_start=datetime.fromisoformat(slot["start"]),
        attributes={**session.attributes, "intent": "callback"},
    )
    confirm = turn.say(node.confirm, {"slot": _slot_text(turn, slot)})
    return Transition([request, confirm], goto=node.next)


def _chosen(
    answer: CallerInput, slots: list[dict[str, str]], min_confidence: float
) -> dict[str, str] | None:
    if isinstance(answer, Digits):
        key = answer.digits
    elif isinstance(answer, Speech) and answer.confidence >= min_confidence:
        key = "".join(ch for ch in answer.text if ch in "0123456789")
    else:
        return None
    # ASCII only: isdigit() takes "²" too, and int() raises on it.
    if re.fullmatch(r"[0-9]+", key) and 1 <= int(key) <= len(slots):
        return slots[int(key) - 1]
    return None
