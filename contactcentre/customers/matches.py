"""What an agent's search list shows of each customer: enough to pick the right one, no more.

The full record is one click away, and the search itself is what allows opening it (cti.access).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from contactcentre.store.models import Customer

HIDDEN = "•"


class CustomerMatch(BaseModel):
    """One line of an agent's search results."""

    id: int
    display_name: str
    first_name: str | None
    last_name: str | None
    segment: str
    phone: str | None = Field(description="primary number, all but its last 4 digits hidden")
    email: str | None = Field(description="primary email, its name hidden but the first letter")

    @classmethod
    def from_model(cls, customer: Customer) -> CustomerMatch:
        phones = sorted(customer.phones, key=lambda p: not p.primary)
        emails = sorted(customer.emails, key=lambda e: not e.primary)
        return cls(
            id=customer.id,
            display_name=customer.display_name,
            first_name=customer.first_name,
            last_name=customer.last_name,
            segment=customer.segment,
            phone=mask_phone(phones[0].e164) if phones else None,
            email=mask_email(emails[0].address) if emails else None,
        )


def mask_phone(e164: str) -> str:
    """'+12025550143' -> '•••0143': the end of a number is what tells two matches apart."""
    return HIDDEN * 3 + e164[-4:]


def mask_email(address: str) -> str:
    """'maria.lopez@example.com' -> 'm•••@example.com'."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{HIDDEN * 3}@{domain}"
