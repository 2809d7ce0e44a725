"""Who is calling: the CustomerDirectory port, the identify-by-number step, and the check that
an account number typed by the caller belongs to the identified customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ivr.actions import Scalar


@dataclass(frozen=True)
class CustomerSummary:
    """What the IVR may know about a customer; the app maps its record into this."""

    customer_id: str
    name: str
    segment: str = "standard"
    open_cases: int = 0

    def __post_init__(self) -> None:
        if not self.customer_id:
            raise ValueError("CustomerSummary.customer_id must not be empty")
        if self.open_cases < 0:
            raise ValueError(f"CustomerSummary.open_cases must be >= 0, got {self.open_cases}")

    def attributes(self) -> dict[str, Scalar]:
        """Session attributes set when the customer is identified (no PII beyond first name)."""
        first_name = self.name.split()[0] if self.name.strip() else ""
        return {
            "customer_id": self.customer_id,
            "customer_name": first_name,
            "segment": self.segment,
            "open_cases": self.open_cases,
            "known": True,
        }


class CustomerDirectory(Protocol):
    """Port: look customers up in the customer record."""

    def find_by_phone(self, number: str) -> CustomerSummary | None: ...

    def find_by_account(self, account_number: str) -> CustomerSummary | None: ...

    def has_email(self, customer_id: str, address: str) -> bool:
        """Whether `address` is one of the customer's email addresses (any case)."""
        ...


def identify(directory: CustomerDirectory, number: str) -> dict[str, Scalar] | None:
    """Attributes of the customer calling from `number`, or None if the number is unknown."""
    customer = directory.find_by_phone(number) if number else None
    return None if customer is None else customer.attributes()


def verify_account(
    directory: CustomerDirectory, account_number: str, known_customer_id: str | None
) -> dict[str, Scalar] | None:
    """Attributes of the account's customer if the number may be accepted, else None.

    A caller already identified by phone must type *their* account number; an unknown caller is
    identified by the account number they type.
    """
    customer = directory.find_by_account(account_number)
    if customer is None:
        return None
    if known_customer_id is not None and customer.customer_id != known_customer_id:
        return None
    return customer.attributes()
