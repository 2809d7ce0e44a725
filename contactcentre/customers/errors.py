"""Errors the customer services raise: each names the field at fault and a stable code.

The API renders them as {"error": {"code", "message", "field"}}; nothing here knows about HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence


class InvalidPhone(ValueError):
    """A phone number that cannot be read as a number; the message says why."""

    code = "invalid_phone"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CustomerFieldError(ValueError):
    """One customer field is wrong; `field` is a path such as "phones[0].number"."""

    code = "invalid_field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DuplicateCustomer(CustomerFieldError):
    """A phone, email or account number already belongs to other customers."""

    code = "duplicate_customer"

    def __init__(self, field: str, message: str, existing_ids: Sequence[int]) -> None:
        super().__init__(field, message)
        self.existing_ids = list(existing_ids)
