"""The customer record as the API accepts and returns it (pydantic v2, also the OpenAPI schema).

CustomerIn creates, CustomerPatch changes only the fields it carries, CustomerOut is what is read.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from contactcentre.customers.fields import (
    AccountNumber,
    BirthDate,
    Count,
    CountryCode,
    EmailAddress,
    Flag,
    HouseholdSize,
    LanguageCode,
    Money,
    PhoneText,
    PlainDate,
    Postcode,
    PurchasesPerYear,
    PurchaseValue,
    RelationshipYears,
    Satisfaction,
    SignedMoney,
    Text24,
    Text80,
    Text120,
    Text255,
    TimeZoneName,
)
from contactcentre.customers.postcodes import normalize_postcode

if TYPE_CHECKING:
    from contactcentre.store.models import Customer

PhoneLabel = Literal["mobile", "home", "work", "fax", "other"]
MAX_CONTACT_POINTS = 10
# Columns that cannot hold NULL: a client sending null gets told, instead of a database error.
NOT_NULL_FIELDS = (
    "language", "average_purchase_value", "purchases_per_year", "relationship_years",
    "cancellations", "service_calls", "at_risk", "consent_marketing", "consent_recording",
    "phones", "emails",
)  # fmt: skip
CONSENT_FIELDS = ("consent_marketing", "consent_recording")


MANUAL_AT_RISK = (
    "set by hand: one manual at-risk reason; the computed flag and its reasons are in"
    " GET /customers/{id}/value and the pop (docs/reporting.md, Customer value)"
)


class PhoneIn(BaseModel):
    """A phone number as typed; the service stores it as E.164."""

    model_config = ConfigDict(extra="forbid")

    number: PhoneText = Field(description="Any format; national numbers use the default region")
    label: PhoneLabel = "mobile"
    primary: Flag = False


class EmailIn(BaseModel):
    """An email address; stored lower-case."""

    model_config = ConfigDict(extra="forbid")

    address: EmailAddress
    primary: Flag = False


class _ProfileRules(BaseModel):
    """Validators shared by CustomerIn and CustomerPatch (fields are declared by each)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator(*NOT_NULL_FIELDS, mode="before", check_fields=False)
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise PydanticCustomError(
                "null", f"{info.field_name} cannot be null; leave it out or give a value"
            )
        return value

    @field_validator("postcode", check_fields=False)
    @classmethod
    def _postcode_matches_country(cls, value: str | None, info: ValidationInfo) -> str | None:
        # `country` is declared before `postcode`, so it is already validated here.
        if value is None:
            return None
        try:
            return normalize_postcode(value, info.data.get("country"))
        except ValueError as exc:
            raise PydanticCustomError("invalid_postcode", str(exc)) from None

    @field_validator("phones", "emails", check_fields=False)
    @classmethod
    def _one_primary(cls, value: list[Any] | None, info: ValidationInfo) -> list[Any] | None:
        if value is None:
            return None
        if len(value) > MAX_CONTACT_POINTS:
            raise PydanticCustomError(
                "too_many", f"{info.field_name} holds at most {MAX_CONTACT_POINTS} entries"
            )
        primaries = [f"{info.field_name}[{i}]" for i, item in enumerate(value) if item.primary]
        if len(primaries) > 1:
            raise PydanticCustomError(
                "several_primary",
                f"only one of {info.field_name} can be primary ({', '.join(primaries)} are)",
            )
        return value


class CustomerIn(_ProfileRules):
    """Everything a user may set on a new customer; CLV and segment are computed, not given."""

    first_name: Text80 = None
    last_name: Text80 = None
    language: LanguageCode = Field(default="en", description="ISO 639-1, e.g. en")
    timezone: TimeZoneName = Field(default=None, description="IANA name, e.g. Europe/London")
    birth_date: BirthDate = None
    gender: Text24 = None
    marital_status: Text24 = None
    household_size: HouseholdSize = None
    occupation: Text120 = None
    country: CountryCode = Field(default=None, description="ISO 3166-1 alpha-2, e.g. GB")
    postcode: Postcode = Field(default=None, description="Checked against the country's format")
    account_number: AccountNumber = None
    average_purchase_value: PurchaseValue = Decimal("0")
    purchases_per_year: PurchasesPerYear = Decimal("0")
    relationship_years: RelationshipYears = Decimal("0")
    average_bill: Money = None
    account_balance: SignedMoney = None
    last_order_status: Text120 = None
    cancellations: Count = 0
    service_calls: Count = 0
    warranty_until: PlainDate = None
    at_risk: Flag = Field(
        default=False,
        description=MANUAL_AT_RISK,
    )
    retention_offer: Text255 = None
    satisfaction: Satisfaction = Field(default=None, description="Last CSAT, 1-5")
    consent_marketing: Flag = False
    consent_recording: Flag = False
    phones: list[PhoneIn] = Field(default_factory=list)
    emails: list[EmailIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _identifiable(self) -> CustomerIn:
        if not (self.first_name or self.last_name or self.phones or self.emails):
            raise PydanticCustomError(
                "unidentifiable", "a customer needs a first or last name, a phone or an email"
            )
        return self


class CustomerPatch(_ProfileRules):
    """A partial update: only the fields present change; null clears a field that may be empty.

    `phones` and `emails`, when present, replace the whole list ([] removes them all).
    """

    first_name: Text80 = None
    last_name: Text80 = None
    language: LanguageCode | None = None
    timezone: TimeZoneName = None
    birth_date: BirthDate = None
    gender: Text24 = None
    marital_status: Text24 = None
    household_size: HouseholdSize = None
    occupation: Text120 = None
    country: CountryCode = None
    postcode: Postcode = None
    account_number: AccountNumber = None
    average_purchase_value: PurchaseValue | None = None
    purchases_per_year: PurchasesPerYear | None = None
    relationship_years: RelationshipYears | None = None
    average_bill: Money = None
    account_balance: SignedMoney = None
    last_order_status: Text120 = None
    cancellations: Count | None = None
    service_calls: Count | None = None
    warranty_until: PlainDate = None
    at_risk: Flag | None = Field(
        default=None,
        description=MANUAL_AT_RISK,
    )
    retention_offer: Text255 = None
    satisfaction: Satisfaction = None
    consent_marketing: Flag | None = None
    consent_recording: Flag | None = None
    phones: list[PhoneIn] | None = None
    emails: list[EmailIn] | None = None


class PhoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    e164: str
    label: str
    primary: bool


class EmailOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    address: str
    primary: bool


class CustomerOut(BaseModel):
    """A customer as the API and the screen pop show it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    display_name: str
    first_name: str | None
    last_name: str | None
    language: str
    timezone: str | None
    birth_date: date | None
    gender: str | None
    marital_status: str | None
    household_size: int | None
    occupation: str | None
    country: str | None
    postcode: str | None
    account_number: str | None
    average_purchase_value: Decimal
    purchases_per_year: Decimal
    relationship_years: Decimal
    clv: Decimal = Field(description="Average purchase x purchases per year x years (DOMAIN.md)")
    segment: str
    average_bill: Decimal | None
    account_balance: Decimal | None
    last_order_status: str | None
    cancellations: int
    service_calls: int
    warranty_until: date | None
    at_risk: bool = Field(description=MANUAL_AT_RISK)
    retention_offer: str | None
    satisfaction: int | None
    consent_marketing: bool
    consent_recording: bool
    consent_updated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None
    phones: list[PhoneOut]
    emails: list[EmailOut]

    @classmethod
    def from_model(cls, customer: Customer) -> CustomerOut:
        return cls.model_validate(customer)
