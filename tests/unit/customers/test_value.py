"""Customer lifetime value (DOMAIN.md formula) and value segments."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactcentre.customers.value import customer_lifetime_value, refresh_value, segment_for
from contactcentre.settings import Settings
from contactcentre.store.models import Customer

THRESHOLDS = {"platinum": 5000.0, "gold": 2000.0, "silver": 800.0, "bronze": 200.0}


def test_first_worked_example() -> None:
    """DOMAIN.md: 100 x 4 x 8 = 3,200."""
    assert customer_lifetime_value(Decimal(100), Decimal(4), Decimal(8)) == Decimal("3200.00")


def test_second_worked_example() -> None:
    """DOMAIN.md: 20 x 5 x 3 = 300."""
    assert customer_lifetime_value(Decimal(20), Decimal(5), Decimal(3)) == Decimal("300.00")


def test_clv_has_two_decimal_places_rounded_half_up() -> None:
    """CLV is money: two decimal places, halves rounded up."""
    clv = customer_lifetime_value(Decimal("10.01"), Decimal("0.5"), Decimal("1"))
    assert clv == Decimal("5.01")  # 5.005 rounds up
    assert clv.as_tuple().exponent == -2


def test_zero_inputs_give_zero() -> None:
    """An unknown (zero) input gives a CLV of zero, not an error."""
    assert customer_lifetime_value(Decimal(0), Decimal(4), Decimal(8)) == Decimal("0.00")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((Decimal(-1), Decimal(4), Decimal(8)), "average_purchase_value"),
        ((Decimal(100), Decimal("-0.5"), Decimal(8)), "purchases_per_year"),
        ((Decimal(100), Decimal(4), Decimal(-8)), "relationship_years"),
    ],
)
def test_negative_input_is_rejected_naming_the_field(
    args: tuple[Decimal, Decimal, Decimal], field: str
) -> None:
    """A negative CLV input raises ValueError naming that input."""
    with pytest.raises(ValueError, match=f"{field} must not be negative"):
        customer_lifetime_value(*args)


def test_non_finite_input_is_rejected() -> None:
    """NaN or infinity is not a CLV input."""
    with pytest.raises(ValueError, match="average_purchase_value must be a finite number"):
        customer_lifetime_value(Decimal("NaN"), Decimal(1), Decimal(1))


@given(
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_clv_is_the_rounded_product(a: Decimal, b: Decimal, c: Decimal) -> None:
    """For any non-negative inputs CLV is their product rounded to the cent."""
    assert abs(customer_lifetime_value(a, b, c) - a * b * c) <= Decimal("0.005")


@pytest.mark.parametrize(
    ("clv", "segment"),
    [
        ("100000", "platinum"),
        ("5000", "platinum"),
        ("4999.99", "gold"),
        ("2000", "gold"),
        ("1999.99", "silver"),
        ("800.00", "silver"),
        ("799.99", "bronze"),
        ("200", "bronze"),
        ("199.99", "basic"),
        ("0", "basic"),
    ],
)
def test_segment_boundaries_are_inclusive(clv: str, segment: str) -> None:
    """A CLV equal to a threshold is in that segment; just below is in the next one down."""
    assert segment_for(Decimal(clv), THRESHOLDS, "basic") == segment


def test_worked_examples_fall_in_gold_and_bronze() -> None:
    """With the default thresholds 3,200 is gold and 300 is bronze."""
    assert segment_for(Decimal(3200), THRESHOLDS, "basic") == "gold"
    assert segment_for(Decimal(300), THRESHOLDS, "basic") == "bronze"


def test_segment_order_of_the_dict_does_not_matter() -> None:
    """Thresholds are compared highest first whatever order the dict lists them in."""
    shuffled = {"bronze": 200.0, "platinum": 5000.0, "silver": 800.0, "gold": 2000.0}
    assert segment_for(Decimal(6000), shuffled, "basic") == "platinum"


def test_no_thresholds_means_lowest_segment() -> None:
    """Without thresholds everyone is in the lowest segment."""
    assert segment_for(Decimal(10**6), {}, "basic") == "basic"


def test_refresh_value_sets_clv_and_segment(tmp_path: Path) -> None:
    """refresh_value stores the CLV and the segment it falls in on the customer."""
    customer = Customer(
        average_purchase_value=Decimal(100),
        purchases_per_year=Decimal(4),
        relationship_years=Decimal(8),
    )
    refresh_value(customer, Settings(instance_path=tmp_path, lowest_segment="basic"))
    assert (customer.clv, customer.segment) == (Decimal("3200.00"), "gold")
