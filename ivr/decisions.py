"""Nodes that run straight through without asking the caller: prompts, business hours,
caller identification, attribute branches and settings, and self-service read-outs."""

from __future__ import annotations

import re

from ivr.actions import Play
from ivr.customers import identify
from ivr.nodes import (
    BranchNode,
    HoursNode,
    IdentifyNode,
    PlayNode,
    SayNode,
    SelfServiceNode,
    SetNode,
)
from ivr.selfservice import balance_values, order_values
from ivr.turn import Transition, Turn


def run_say(turn: Turn, node: SayNode) -> Transition:
    turn.session.visit(node.id)
    actions = turn.say_all(node.prompt) if node.multilingual else [turn.say(node.prompt)]
    return Transition(list(actions), goto=node.next)


def run_play(turn: Turn, node: PlayNode) -> Transition:
    turn.session.visit(node.id)
    url = node.url.render(turn.language, {}, fallback=turn.flow.default_language)
    return Transition([Play(url)], goto=node.next)


def run_hours(turn: Turn, node: HoursNode) -> Transition:
    status = node.calendar.status(turn.now)
    target = {"open": node.open, "closed": node.closed, "holiday": node.holiday}[status]
    turn.session.visit(node.id, None, f"{status} -> {target}")
    return Transition(goto=target)


def run_identify(turn: Turn, node: IdentifyNode) -> Transition:
    session = turn.session
    customer = identify(turn.ports.customers, session.caller_number)
    if customer is None:
        session.attributes["known"] = False
        session.visit(node.id, None, f"unknown -> {node.unknown}")
        return Transition(goto=node.unknown)
    session.attributes.update(customer)
    session.visit(node.id, None, f"known -> {node.known}")
    return Transition(goto=node.known)


def run_branch(turn: Turn, node: BranchNode) -> Transition:
    values = {**turn.session.attributes, "priority": turn.session.priority}
    for rule in node.rules:
        if all(condition.holds(values) for condition in rule.conditions):
            reason = " and ".join(map(str, rule.conditions))
            turn.session.visit(node.id, None, f"{reason} -> {rule.next}")
            return Transition(goto=rule.next)
    turn.session.visit(node.id, None, f"default -> {node.default}")
    return Transition(goto=node.default)


def run_set(turn: Turn, node: SetNode) -> Transition:
    session = turn.session
    session.attributes.update(node.attributes)
    if node.priority is not None:
        change = int(node.priority)
        relative = re.match(r"[+-]", node.priority) is not None
        session.priority = session.priority + change if relative else change
    changes = [f"{k}={v}" for k, v in node.attributes.items()]
    if node.priority is not None:
        changes.append(f"priority={session.priority}")
    session.visit(node.id, None, ", ".join(changes))
    return Transition(goto=node.next)


def run_self_service(turn: Turn, node: SelfServiceNode) -> Transition:
    session = turn.session
    customer_id = session.attributes.get("customer_id")
    values = None
    if customer_id is not None:
        accounts, lang = turn.ports.accounts, turn.language
        if node.kind == "balance":
            balance = accounts.balance(str(customer_id))
            values = None if balance is None else balance_values(balance, lang)
        else:
            order = accounts.last_order(str(customer_id))
            values = None if order is None else order_values(order, lang)
    if values is None:
        session.visit(node.id, None, f"unavailable -> {node.unavailable}")
        return Transition(goto=node.unavailable)
    session.visit(node.id, None, f"read out -> {node.next}")
    return Transition([turn.say(node.prompt, values)], goto=node.next)
