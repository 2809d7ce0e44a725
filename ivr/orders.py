"""Order status by order number, read out only to the order's owner: the identified customer,
or a contact who gives an email address on the owner's account. Misses are counted and capped.

Why this rule: an order number alone is not a secret (it is printed on parcels and emails, and
numbers run in sequence), so a stranger typing numbers must learn nothing. "Not found" and "not
yours" are answered alike, the email is asked whether or not the order exists, and after
`max_failures` misses in one contact the flow stops looking (`exhausted`, e.g. to an agent).
The email is used for one look-up and dropped from the session.
"""

from __future__ import annotations

from ivr.customers import CustomerDirectory
from ivr.nodes import OrderStatusNode
from ivr.selfservice import AccountService, OrderStatus, order_values
from ivr.turn import Transition, Turn

#: Session attribute counting this contact's failed order look-ups.
FAILURES = "order_lookup_failures"


def visible_order(
    accounts: AccountService,
    directory: CustomerDirectory,
    order_number: str,
    customer_id: str | None,
    email: str | None,
) -> OrderStatus | None:
    """The order if this contact may see it, else None (whether it exists or not)."""
    order = accounts.order(order_number) if order_number else None
    if order is None or not order.customer_id:
        return None
    if customer_id is not None and order.customer_id == customer_id:
        return order
    if email and directory.has_email(order.customer_id, email):
        return order
    return None


def run_order_status(turn: Turn, node: OrderStatusNode) -> Transition:
    session = turn.session
    attributes = session.attributes
    number = str(attributes.get(node.number_attribute) or "")
    email = attributes.pop(node.email_attribute, None)
    known = attributes.get("customer_id")
    order = visible_order(
        turn.ports.accounts,
        turn.ports.customers,
        number,
        None if known is None else str(known),
        None if email is None else str(email),
    )
    if order is None:
        failures = int(attributes.get(FAILURES, 0)) + 1
        attributes[FAILURES] = failures
        if failures >= node.max_failures:
            session.visit(node.id, None, f"miss {failures}, exhausted -> {node.exhausted}")
            return Transition(goto=node.exhausted)
        session.visit(node.id, None, f"miss {failures} -> {node.unavailable}")
        return Transition(goto=node.unavailable)
    session.visit(node.id, None, f"read out -> {node.next}")
    return Transition([turn.say(node.prompt, order_values(order, turn.language))], goto=node.next)
