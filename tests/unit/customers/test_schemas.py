"""Validation of customer input (CustomerIn, CustomerPatch) and its field-specific messages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from contactcentre.customers.problems import FieldProblem, describe_errors, field_path
from contactcentre.customers.schemas import CustomerIn, CustomerOut, CustomerPatch
from contactcentre.store.models import Customer, CustomerEmail, CustomerPhone
from contactcentre.store.types import utcnow


def problems(model: type[CustomerIn | CustomerPatch], data: dict[str, Any]) -> list[FieldProblem]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return describe_errors(info.value)


def only_problem(data: dict[str, Any], model: type[Any] = CustomerIn) -> FieldProblem:
    found = problems(model, {"first_name": "Ada", **data})
    assert len(found) == 1, found
    return found[0]


def test_names_are_trimmed_and_whitespace_collapsed() -> None:
    """Names lose surrounding and repeated spaces; a blank name is no name."""
    data = CustomerIn(first_name="  Ada  ", last_name=" King   Lovelace ", occupation="   ")
    assert (data.first_name, data.last_name, data.occupation) == ("Ada", "King Lovelace", None)


def test_codes_are_normalised() -> None:
    """Language is stored lower-case, country upper-case, postcode canonical for the country."""
    data = CustomerIn(first_name="Ada", language="EN", country="gb", postcode="sw1a1aa")
    assert (data.language, data.country, data.postcode) == ("en", "GB", "SW1A 1AA")


def test_email_is_lower_cased() -> None:
    """Email addresses are stored lower-case."""
    data = CustomerIn.model_validate({"emails": [{"address": " Ada@Example.COM "}]})
    assert data.emails[0].address == "ada@example.com"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": "x" * 81}, "first_name", "first_name is longer than 80 characters"),
        (
            {"birth_date": (date.today() + timedelta(days=2)).isoformat()},
            "birth_date",
            "is in the future",
        ),
        ({"birth_date": "1850-01-01"}, "birth_date", "birth_date 1850-01-01 is before 1900"),
        ({"birth_date": "31/12/1980"}, "birth_date", "birth_date must be a date as YYYY-MM-DD"),
        ({"household_size": 0}, "household_size", "household_size must be between 1 and 99"),
        ({"language": "english"}, "language", "is not an ISO 639-1 code"),
        ({"country": "UK"}, "country", "use GB"),
        ({"country": "XY"}, "country", "is not an ISO 3166 alpha-2 code"),
        ({"country": "GB", "postcode": "12345"}, "postcode", "not a valid GB postcode"),
        ({"country": "US", "postcode": "SW1A 1AA"}, "postcode", "not a valid US postcode"),
        ({"country": "DE", "postcode": "1234"}, "postcode", "not a valid DE postcode"),
        ({"country": "FR", "postcode": "7500"}, "postcode", "not a valid FR postcode"),
        ({"country": "ES", "postcode": "60000"}, "postcode", "not a valid ES postcode"),
        (
            {"average_purchase_value": "-5"},
            "average_purchase_value",
            "average_purchase_value must not be negative",
        ),
        (
            {"purchases_per_year": "1.234"},
            "purchases_per_year",
            "purchases_per_year has more than 2 decimal places",
        ),
        (
            {"relationship_years": "ten"},
            "relationship_years",
            "relationship_years must be a number",
        ),
        ({"satisfaction": 6}, "satisfaction", "satisfaction must be between 1 and 5"),
        ({"timezone": "Mars/Olympus"}, "timezone", "is not an IANA time zone"),
        ({"consent_marketing": "maybe"}, "consent_marketing", "must be true or false"),
        ({"at_risk": 1}, "at_risk", "at_risk must be true or false"),
        ({"consent_recording": 0}, "consent_recording", "consent_recording must be true or false"),
        (
            {"cancellations": True},
            "cancellations",
            "cancellations must be a whole number",
        ),
        ({"satisfaction": False}, "satisfaction", "satisfaction must be a whole number"),
        ({"emails": [{"address": "a@b.co", "primary": 1}]}, "emails[0].primary", "true or false"),
        ({"fist_name": "Ada"}, "fist_name", "fist_name is not a customer field"),
        ({"language": None}, "language", "language cannot be null"),
        (
            {"emails": [{"address": "ada-at-example.com"}]},
            "emails[0].address",
            "email address 'ada-at-example.com' is not valid",
        ),
        ({"phones": [{"number": "  "}]}, "phones[0].number", "number is empty"),
        ({"phones": [{"number": "1", "label": "pager"}]}, "phones[0].label", "phones[0].label"),
        (
            {"phones": [{"number": "1", "primary": True}, {"number": "2", "primary": True}]},
            "phones",
            "only one of phones can be primary (phones[0], phones[1] are)",
        ),
    ],
)
def test_bad_field_gives_a_message_naming_it(
    data: dict[str, Any], field: str, message: str
) -> None:
    """Each invalid field is reported at its path with a message that names it."""
    problem = only_problem(data)
    assert problem.field == field
    assert message in problem.message


def test_spreadsheet_text_still_reads_as_flags_and_counts() -> None:
    """The CSV import shares these schemas: "yes" is a flag and "3" a count, 1 and true are not."""
    data = CustomerIn.model_validate({"first_name": "A", "at_risk": "yes", "cancellations": "3"})
    assert data.at_risk is True
    assert data.cancellations == 3


def test_a_customer_must_be_identifiable() -> None:
    """A record without a name, phone or email is refused as a whole."""
    (problem,) = problems(CustomerIn, {"country": "GB"})
    assert problem.field is None
    assert "needs a first or last name, a phone or an email" in problem.message


def test_all_problems_are_reported_at_once() -> None:
    """Validation reports every bad field, not just the first."""
    found = problems(CustomerIn, {"first_name": "A", "language": "xx", "household_size": 0})
    assert {p.field for p in found} == {"language", "household_size"}


def test_decimals_are_kept_exact() -> None:
    """CLV inputs are decimals with two places, never floats."""
    data = CustomerIn(first_name="A", average_purchase_value="19.9")
    assert data.average_purchase_value == Decimal("19.90")


def test_patch_knows_which_fields_were_given() -> None:
    """A patch changes only the fields it carries; null clears a nullable field."""
    patch = CustomerPatch.model_validate({"occupation": None, "language": "fr"})
    assert patch.model_fields_set == {"occupation", "language"}
    assert patch.occupation is None


def test_patch_cannot_null_a_required_column() -> None:
    """A patch may not set a non-nullable field to null."""
    problem = only_problem({"consent_marketing": None}, CustomerPatch)
    assert problem.field == "consent_marketing"
    assert "cannot be null" in problem.message


def test_patch_applies_the_same_field_rules() -> None:
    """A patch value is validated exactly like the same value on create."""
    problem = only_problem({"birth_date": "2999-01-01"}, CustomerPatch)
    assert problem.field == "birth_date"


def test_field_path_reads_like_json() -> None:
    """Error locations render as dotted paths with list indexes."""
    assert field_path(("phones", 0, "number")) == "phones[0].number"
    assert field_path(()) is None


def test_schemas_produce_openapi_json_schema() -> None:
    """The models generate JSON schema for the OpenAPI document."""
    schema = CustomerIn.model_json_schema()
    assert "phones" in schema["properties"]
    assert CustomerPatch.model_json_schema()["properties"]
    assert "display_name" in CustomerOut.model_json_schema()["properties"]


def test_customer_out_from_model() -> None:
    """CustomerOut reads a Customer with its phones, emails and display name."""
    now = utcnow()
    customer = Customer(
        id=7,
        first_name="Ada",
        last_name="Lovelace",
        language="en",
        average_purchase_value=Decimal(100),
        purchases_per_year=Decimal(4),
        relationship_years=Decimal(8),
        clv=Decimal("3200.00"),
        segment="gold",
        cancellations=0,
        service_calls=0,
        at_risk=False,
        consent_marketing=False,
        consent_recording=False,
        created_at=now,
        updated_at=now,
    )
    customer.phones = [CustomerPhone(id=1, e164="+442079460958", label="work", primary=True)]
    customer.emails = [CustomerEmail(id=2, address="ada@example.com", primary=True)]
    out = CustomerOut.from_model(customer)
    assert out.display_name == "Ada Lovelace"
    assert out.phones[0].e164 == "+442079460958"
    assert out.model_dump(mode="json")["clv"] == "3200.00"
