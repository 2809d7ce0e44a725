"""Collecting digits such as an account number (length, pattern and, through the customer
directory, a check that it belongs to the caller) or a typed email; the path shows them masked."""

from __future__ import annotations

import re

from ivr.actions import Gather
from ivr.customers import verify_account
from ivr.inputs import CallerInput, Digits, NoInput, Speech
from ivr.menus import retry_or_give_up
from ivr.nodes import CollectNode
from ivr.turn import Transition, Turn


def collect_gather(turn: Turn, node: CollectNode) -> Gather:
    fixed_length = node.min_length == node.max_length
    return Gather(
        node_id=node.id,
        kind=node.input,
        language=turn.language,
        prompt=(turn.say(node.prompt),),
        num_digits=node.max_length if fixed_length else None,
        timeout=node.retry.timeout,
        finish_on_key=node.finish_on_key,
    )


def enter_collect(turn: Turn, node: CollectNode) -> Transition:
    turn.session.attempts = 0
    return Transition([collect_gather(turn, node)], wait=True)


def answer_collect(turn: Turn, node: CollectNode, answer: CallerInput) -> Transition:
    gather = collect_gather(turn, node)
    if node.format == "email":
        return _answer_email(turn, node, answer, gather)
    digits = _digits_of(answer, node.finish_on_key, turn.flow.min_confidence)
    if digits == "":
        return retry_or_give_up(
            turn, node.id, node.retry, failure="no_input", heard="no-input", gather=gather
        )
    if digits is None:
        return retry_or_give_up(
            turn, node.id, node.retry, failure="invalid", heard="unclear", gather=gather
        )
    heard = f"digits:{mask(digits)}"
    problem = _problem(turn, node, digits)
    if problem is not None:
        heard = f"{heard} ({problem})"
        return retry_or_give_up(
            turn, node.id, node.retry, failure="invalid", heard=heard, gather=gather
        )
    session = turn.session
    session.attributes[node.attribute] = digits
    session.visit(node.id, heard, f"accepted -> {node.next}")
    session.attempts = 0
    return Transition(goto=node.next)


# Deliberately loose: one @, a dot in the domain, no spaces. The record decides the rest.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _answer_email(turn: Turn, node: CollectNode, answer: CallerInput, gather: Gather) -> Transition:
    typed = answer.text.strip().lower() if isinstance(answer, Speech) else None
    if isinstance(answer, NoInput) or typed == "":
        return retry_or_give_up(
            turn, node.id, node.retry, failure="no_input", heard="no-input", gather=gather
        )
    if typed is None or len(typed) > node.max_length or not _EMAIL.fullmatch(typed):
        return retry_or_give_up(
            turn, node.id, node.retry, failure="invalid", heard="not an email", gather=gather
        )
    session = turn.session
    session.attributes[node.attribute] = typed
    session.visit(node.id, f"email:{mask_email(typed)}", f"accepted -> {node.next}")
    session.attempts = 0
    return Transition(goto=node.next)


def mask_email(address: str) -> str:
    """ "grace@example.com" shows as "g***@example.com" in the path agents and events see."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _digits_of(answer: CallerInput, finish_on_key: str, min_confidence: float) -> str | None:
    """Keys pressed, or the digits in what was said ("one two three" comes back as "1 2 3")."""
    if isinstance(answer, Digits):
        return answer.digits.removesuffix(finish_on_key) if finish_on_key else answer.digits
    if isinstance(answer, Speech) and answer.confidence >= min_confidence:
        spoken = re.sub(r"[\s-]", "", answer.text)
        # ASCII only: isdigit() also takes "١٢٣" and "²", which no account number holds.
        return spoken if re.fullmatch(r"[0-9]+", spoken) else None
    return "" if isinstance(answer, NoInput) else None


def _problem(turn: Turn, node: CollectNode, digits: str) -> str | None:
    if not node.min_length <= len(digits) <= node.max_length:
        return f"length {len(digits)}, expected {node.min_length}-{node.max_length}"
    if node.pattern is not None and not re.fullmatch(node.pattern, digits):
        return "does not match pattern"
    if node.validate == "customer_account":
        known = turn.session.attributes.get("customer_id")
        customer = verify_account(
            turn.ports.customers, digits, None if known is None else str(known)
        )
        if customer is None:
            return "not the caller's account"
        turn.session.attributes.update(customer)
    return None


def mask(digits: str) -> str:
    """Keep the last four digits only: the IVR path is shown to agents and stored in events."""
    if len(digits) <= 4:
        return "*" * len(digits)  # short codes such as PINs are hidden entirely
    return "*" * max(len(digits) - 4, 0) + digits[-4:]
