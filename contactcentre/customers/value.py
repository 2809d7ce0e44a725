"""Customer lifetime value (DOMAIN.md §1) and the value segment it puts a customer in.

CLV = average purchase value x purchases per year x relationship years, e.g. 100 x 4 x 8 = 3,200.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contactcentre.settings import Settings
    from contactcentre.store.models import Customer

CENT = Decimal("0.01")


def customer_lifetime_value(
    average_purchase_value: Decimal,
    purchases_per_year: Decimal,
    relationship_years: Decimal,
) -> Decimal:
    """The DOMAIN.md formula rounded half-up to cents; negative or non-finite inputs are refused."""
    inputs = {
        "average_purchase_value": average_purchase_value,
        "purchases_per_year": purchases_per_year,
        "relationship_years": relationship_years,
    }
    for name, value in inputs.items():
        inputs[name] = _non_negative(name, value)
    product = (
        inputs["average_purchase_value"]
        * inputs["purchases_per_year"]
        * inputs["relationship_years"]
    )
    return product.quantize(CENT, rounding=ROUND_HALF_UP)


def _non_negative(name: str, value: Decimal | int) -> Decimal:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return number


def segment_for(clv: Decimal, thresholds: Mapping[str, float], lowest: str) -> str:
    """The best segment whose threshold the CLV reaches (a CLV equal to a threshold is in it)."""
    # Settings keeps thresholds best first, but sorting here makes the rule hold for any dict.
    for name, amount in sorted(thresholds.items(), key=lambda item: item[1], reverse=True):
        # str() first: Decimal(0.1) would carry the float's binary error into the comparison.
        if clv >= Decimal(str(amount)):
            return name
    return lowest


def refresh_value(customer: Customer, settings: Settings) -> None:
    """Recompute the stored CLV and segment from the customer's CLV inputs."""
    customer.clv = customer_lifetime_value(
        customer.average_purchase_value or Decimal(0),
        customer.purchases_per_year or Decimal(0),
        customer.relationship_years or Decimal(0),
    )
    customer.segment = segment_for(
        customer.clv, settings.segment_thresholds, settings.lowest_segment
    )
