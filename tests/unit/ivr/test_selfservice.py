"""Tests for ivr.selfservice and ivr.customers: formatting read-outs and customer look-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ivr import Balance, CallbackSlot, CustomerSummary
from ivr.customers import identify, verify_account
from ivr.selfservice import format_amount, format_date, format_slot

from .fakes import FakeDirectory, gold, standard


def test_amounts_use_the_languages_separators() -> None:
    """English writes 1,234.50 and Spanish 1.234,50."""
    assert format_amount(Decimal("1234.5"), "en") == "1,234.50"
    assert format_amount(Decimal("1234.5"), "es") == "1.234,50"


def test_dates_and_slots_read_naturally() -> None:
    """Dates and slot times are spoken in the caller's language and the business's zone."""
    assert format_date(date(2025, 3, 3), "es") == "lunes 3 de marzo"
    slot = datetime(2025, 7, 1, 14, 30, tzinfo=UTC)
    assert format_slot(slot, "America/New_York", "en") == "Tuesday, July 1 at 10:30"


def test_value_objects_validate() -> None:
    """Currencies are ISO codes, slot times are aware, customers have ids."""
    with pytest.raises(ValueError, match="ISO code"):
        Balance(Decimal(1), "dollars")
    with pytest.raises(ValueError, match="timezone-aware"):
        CallbackSlot("S", datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="customer_id"):
        CustomerSummary("", "Nobody")


def test_identify_and_verify_account() -> None:
    """Identify by phone; an account number must belong to the identified customer."""
    directory = FakeDirectory({"+1": gold()}, {"111": gold(), "222": standard()})
    assert identify(directory, "+1") == gold().attributes()
    assert identify(directory, "+2") is None
    assert verify_account(directory, "111", "C1") == gold().attributes()
    assert verify_account(directory, "222", "C1") is None
    assert verify_account(directory, "222", None) == standard().attributes()
    assert verify_account(directory, "999", None) is None


def test_customer_attributes_carry_first_name_only() -> None:
    """Only the first name goes into prompts and routing attributes."""
    assert gold().attributes()["customer_name"] == "Ana"
