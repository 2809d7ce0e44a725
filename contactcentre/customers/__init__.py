"""Customer records: profile validation, phone normalisation, lookup, CLV, import, privacy.

The services take a SQLAlchemy session from the caller and never commit it.
"""

from contactcentre.customers.errors import CustomerFieldError, DuplicateCustomer, InvalidPhone
from contactcentre.customers.importer import ImportReport, RowError, import_csv
from contactcentre.customers.lookup import find_by_email, find_by_phone, get_customer, search
from contactcentre.customers.phones import (
    CallerId,
    classify_caller_id,
    normalize_phone,
    split_extension,
)
from contactcentre.customers.privacy import erase_customer, export_customer
from contactcentre.customers.problems import FieldProblem, describe_errors
from contactcentre.customers.records import create_customer, find_duplicates, update_customer
from contactcentre.customers.schemas import (
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    EmailIn,
    EmailOut,
    PhoneIn,
    PhoneOut,
)
from contactcentre.customers.value import customer_lifetime_value, refresh_value, segment_for

__all__ = [
    "CallerId",
    "CustomerFieldError",
    "CustomerIn",
    "CustomerOut",
    "CustomerPatch",
    "DuplicateCustomer",
    "EmailIn",
    "EmailOut",
    "FieldProblem",
    "ImportReport",
    "InvalidPhone",
    "PhoneIn",
    "PhoneOut",
    "RowError",
    "classify_caller_id",
    "create_customer",
    "customer_lifetime_value",
    "describe_errors",
    "erase_customer",
    "export_customer",
    "find_by_email",
    "find_by_phone",
    "find_duplicates",
    "get_customer",
    "import_csv",
    "normalize_phone",
    "refresh_value",
    "search",
    "segment_for",
    "split_extension",
    "update_customer",
]
