"""Finding customers by phone, email, id and free text against a real database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from contactcentre.customers import (
    erase_customer,
    find_by_email,
    find_by_phone,
    get_customer,
    search,
)
from contactcentre.settings import Settings
from tests.integration.customers.builders import add_customer, add_interaction

LONDON = "020 7946 0958"


def ids(customers: list) -> list[int]:  # type: ignore[type-arg]
    return [c.id for c in customers]


def test_any_format_finds_the_customer(session: Session, settings: Settings) -> None:
    """A number stored once is found from every way of writing it."""
    ada = add_customer(session, settings, first_name="Ada", phones=[{"number": LONDON}])
    for raw in ("+442079460958", "+44 (0)20 7946 0958", "0044 20 7946 0958", "020-7946-0958"):
        assert ids(find_by_phone(session, raw, "GB")) == [ada.id], raw
    assert ids(find_by_phone(session, "011 44 20 7946 0958", "US")) == [ada.id]


def test_all_holders_are_ranked(session: Session, settings: Settings) -> None:
    """Primary holders first, then by latest interaction, then by id; erased never."""
    number = [{"number": LONDON}]
    old = add_customer(session, settings, first_name="Old", phones=[{"number": "07400 123456"}])
    old_secondary = {"number": "07400 123456", "primary": True}
    quiet = add_customer(session, settings, first_name="Quiet", phones=[old_secondary, *number])
    recent = add_customer(session, settings, first_name="Recent", phones=[old_secondary, *number])
    primary = add_customer(session, settings, first_name="Primary", phones=number)
    gone = add_customer(session, settings, first_name="Gone", phones=number)
    add_interaction(session, recent, datetime(2026, 3, 1, tzinfo=UTC))
    add_interaction(session, recent, datetime(2026, 1, 1, tzinfo=UTC))
    add_interaction(session, quiet, datetime(2025, 1, 1, tzinfo=UTC))
    erase_customer(session, gone.id, actor="test", actor_user_id=None, reason="request")
    assert ids(find_by_phone(session, LONDON, "GB")) == [primary.id, recent.id, quiet.id]
    assert old.id not in ids(find_by_phone(session, LONDON, "GB"))


def test_customers_never_contacted_rank_after_contacted(
    session: Session, settings: Settings
) -> None:
    """Among equal matches a customer with no interaction ranks last, on any database."""
    number = [{"number": LONDON, "primary": True}]
    never = add_customer(session, settings, first_name="Never", phones=number)
    once = add_customer(session, settings, first_name="Once", phones=number)
    add_interaction(session, once, datetime(2024, 1, 1, tzinfo=UTC))
    assert ids(find_by_phone(session, LONDON, "GB")) == [once.id, never.id]


def test_unparsable_number_finds_nobody(session: Session, settings: Settings) -> None:
    """A junk caller number returns no customers instead of raising."""
    add_customer(session, settings, first_name="Ada", phones=[{"number": LONDON}])
    assert find_by_phone(session, "anonymous", "GB") == []
    assert find_by_phone(session, "", "GB") == []


def test_email_lookup_ignores_case_and_spaces(session: Session, settings: Settings) -> None:
    """Email lookup is case-insensitive and trims the address."""
    ada = add_customer(session, settings, emails=[{"address": "Ada.Lovelace@Example.com"}])
    assert ids(find_by_email(session, "  ADA.LOVELACE@example.COM ")) == [ada.id]
    assert find_by_email(session, "someone@example.com") == []
    assert find_by_email(session, "  ") == []


def test_get_customer_hides_erased(session: Session, settings: Settings) -> None:
    """get_customer returns None for unknown and erased ids unless asked for tombstones."""
    ada = add_customer(session, settings, first_name="Ada")
    assert get_customer(session, ada.id) is ada
    assert get_customer(session, 999_999) is None
    erase_customer(session, ada.id, actor="test", actor_user_id=None, reason="request")
    assert get_customer(session, ada.id) is None
    assert get_customer(session, ada.id, include_erased=True) is ada


def test_search_by_name(session: Session, settings: Settings) -> None:
    """Names match case-insensitively: exact full name, then prefixes, then anywhere."""
    exact = add_customer(session, settings, first_name="Ada", last_name="Lovelace")
    prefix = add_customer(session, settings, first_name="Adam", last_name="Smith")
    inside = add_customer(session, settings, first_name="Grenada", last_name="Jones")
    other = add_customer(session, settings, first_name="Bob", last_name="Brown")
    assert ids(search(session, "ada lovelace", "GB")) == [exact.id]
    found = ids(search(session, "ADA", "GB"))
    assert found[:2] == [exact.id, prefix.id]
    assert inside.id in found
    assert other.id not in found
    assert ids(search(session, "lovelace", "GB")) == [exact.id]


def test_search_by_phone_email_and_account(session: Session, settings: Settings) -> None:
    """Search understands numbers in any format, email addresses and account numbers."""
    ada = add_customer(
        session,
        settings,
        first_name="Ada",
        phones=[{"number": LONDON}],
        emails=[{"address": "ada@example.com"}],
        account_number="ACC-1001",
    )
    bob = add_customer(session, settings, first_name="Bob", account_number="4402079")
    assert ids(search(session, "+44 20 7946 0958", "GB")) == [ada.id]
    assert ids(search(session, "7946 0958", "GB")) == [ada.id]  # end of the number
    assert ids(search(session, "ADA@EXAMPLE.COM", "GB")) == [ada.id]
    assert ids(search(session, "example.com", "GB")) == [ada.id]
    assert ids(search(session, "ACC-1001", "GB")) == [ada.id]
    assert ids(search(session, "4402079", "GB"))[0] == bob.id


def test_search_deduplicates_and_limits(session: Session, settings: Settings) -> None:
    """A customer matching several ways appears once; the limit caps the result."""
    for n in range(5):
        add_customer(
            session,
            settings,
            first_name=f"Ann{n}",
            emails=[{"address": f"ann{n}@example.com"}, {"address": f"ann{n}@example.org"}],
        )
    found = ids(search(session, "ann", "GB", limit=50))
    assert len(found) == len(set(found)) == 5
    assert len(search(session, "ann", "GB", limit=3)) == 3
    assert search(session, "   ", "GB") == []


def test_search_treats_like_wildcards_literally(session: Session, settings: Settings) -> None:
    """% and _ typed by a user match themselves, not any text."""
    add_customer(session, settings, first_name="Ada")
    assert search(session, "%", "GB") == []
    assert search(session, "_da", "GB") == []
