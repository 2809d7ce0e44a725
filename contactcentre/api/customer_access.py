"""The API's side of who sees which customer (cti.access): 404 for unknown, 403 for not yours.

Agents' searches and the customers they create are remembered here, so they may open them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from contactcentre.auth.access import api_user
from contactcentre.cti.access import may_see_customer
from contactcentre.cti.found import FoundCustomers
from contactcentre.customers.lookup import get_customer
from contactcentre.errors import ApiError, not_found
from contactcentre.platform.runtime import current_runtime
from contactcentre.store.models import Customer, Role

NOT_YOURS = (
    "this customer is not on a contact offered or assigned to you, nor one you served in the "
    "last {days} days, nor among your recent search results: search for them first"
)


def visible_customer(session: Session, customer_id: int, field: str = "customer_id") -> Customer:
    """The customer if the caller may see them: 404 if unknown or erased, 403 if not theirs."""
    customer = get_customer(session, customer_id)
    if customer is None:
        raise not_found("customer", customer_id, field)
    require_visible(session, customer_id, field)
    return customer


def require_visible(session: Session, customer_id: int, field: str = "customer_id") -> None:
    runtime = current_runtime()
    days = runtime.settings.customer_reopen_days
    if not may_see_customer(session, runtime.redis, api_user(), customer_id, days):
        raise ApiError(403, "forbidden", NOT_YOURS.format(days=days), field)


def refuse_unseen_customer(customer_id: int, field: str = "customer_id") -> None:
    """403 unless the caller may see this customer; an unknown id is left to the caller's 404
    or 422."""
    with current_runtime().db.session() as session:
        if get_customer(session, customer_id) is not None:
            require_visible(session, customer_id, field)


def remember_found(customer_ids: Iterable[int]) -> None:
    """An agent's search (or new customer) opens these records for the search grant's time."""
    user = api_user()
    if user.has_role(Role.SUPERVISOR):
        return
    runtime = current_runtime()
    ttl = runtime.settings.customer_search_grant_seconds
    FoundCustomers(runtime.redis).remember(user.id, customer_ids, ttl)
