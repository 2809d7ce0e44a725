"""/api/v1/customers over HTTP: look-up in any format, CRUD, import, export and erasure."""

from __future__ import annotations

import io
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("validated_responses")

NEW = {
    "first_name": "Maria",
    "last_name": "Lopez",
    "language": "es",
    "phones": [{"number": "(202) 555-0143", "primary": True}],
    "emails": [{"address": "Maria.Lopez@Example.com"}],
    "average_purchase_value": "100",
    "purchases_per_year": "4",
    "relationship_years": "8",
}


@pytest.fixture
def maria(client: Any, admin: Any) -> dict[str, Any]:
    response = client.post("/api/v1/customers", json=NEW, headers=admin["headers"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_computes_clv_and_normalises(maria: dict[str, Any]) -> None:
    """A new customer gets E.164 phones, a lower-case email, and CLV 100 x 4 x 8 = 3,200."""
    assert maria["phones"][0]["e164"] == "+12025550143"
    assert maria["emails"][0]["address"] == "maria.lopez@example.com"
    assert float(maria["clv"]) == 3200.0
    assert maria["segment"] == "gold"


@pytest.mark.parametrize(
    "number", ["+1 202 555 0143", "202.555.0143", "1-202-555-0143", "001 202 555 0143"]
)
def test_phone_lookup_any_format(client: Any, make_user: Any, maria: Any, number: str) -> None:
    """An agent finds the customer by the number written in any sane format."""
    agent = make_user("agent")
    found = client.get(
        "/api/v1/customers", query_string={"phone": number}, headers=agent["headers"]
    )
    assert found.status_code == 200
    assert [c["id"] for c in found.get_json()["items"]] == [maria["id"]]


def test_search_by_name_and_email(client: Any, make_user: Any, maria: Any) -> None:
    """Search finds by name and by email regardless of case."""
    agent = make_user("agent")
    for q in ("lopez", "MARIA.LOPEZ@example.com"):
        items = client.get("/api/v1/customers", query_string={"q": q}, headers=agent["headers"])
        assert [c["id"] for c in items.get_json()["items"]] == [maria["id"]], q


def test_agents_must_search(client: Any, make_user: Any, maria: Any) -> None:
    """Listing every customer is for supervisors; an agent is asked to search."""
    agent, sup = make_user("agent"), make_user("supervisor")
    refused = client.get("/api/v1/customers", headers=agent["headers"])
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "search_required"
    assert client.get("/api/v1/customers", headers=sup["headers"]).get_json()["total"] == 1


@pytest.mark.parametrize("query", ["phone=", "email=", "q=", "phone=%20%20", "q=+"])
@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_blank_search_is_400_naming_the_field(
    client: Any, make_user: Any, maria: Any, role: str, query: str
) -> None:
    """A blank phone, email or q is refused, not read as "no search" (a CRM pops the first row)."""
    caller = make_user(role)
    field = query.split("=", maxsplit=1)[0]
    response = client.get(f"/api/v1/customers?{query}", headers=caller["headers"])
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "blank_parameter"
    assert error["field"] == field
    assert "items" not in response.get_json()


def test_duplicate_is_409_unless_allowed(client: Any, admin: Any, maria: Any) -> None:
    """A second customer with the same phone is refused with the existing id, unless allowed."""
    again = client.post("/api/v1/customers", json=NEW, headers=admin["headers"])
    assert again.status_code == 409
    assert str(maria["id"]) in again.get_json()["error"]["message"]
    forced = client.post(
        "/api/v1/customers?allow_duplicate=true", json=NEW, headers=admin["headers"]
    )
    assert forced.status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("at_risk", 1),
        ("consent_marketing", 0),
        ("cancellations", True),
        ("household_size", False),
        ("phones", [{"number": "+12025550199", "primary": 1}]),
    ],
)
def test_booleans_and_integers_are_not_coerced(
    client: Any, admin: Any, field: str, value: Any
) -> None:
    """1 is not true and true is not 1: either is refused naming the field."""
    body = {"first_name": "Ada", field: value}
    response = client.post("/api/v1/customers", json=body, headers=admin["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["field"].startswith(field)


def test_bad_phone_names_the_field(client: Any, admin: Any) -> None:
    """An unusable phone number names phones[0].number."""
    body = {"first_name": "X", "phones": [{"number": "call me maybe"}]}
    response = client.post("/api/v1/customers", json=body, headers=admin["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "phones[0].number"


def test_patch_updates_and_recomputes(client: Any, admin: Any, maria: Any) -> None:
    """Changing CLV inputs recomputes the segment."""
    response = client.patch(
        f"/api/v1/customers/{maria['id']}",
        json={"relationship_years": "20"},
        headers=admin["headers"],
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["segment"] == "platinum"


def test_import_all_or_nothing(client: Any, admin: Any) -> None:
    """A CSV with a bad row imports nothing and names row and column; skipping imports the rest."""
    csv = b"first_name,phone,email\nAl,202-555-0101,al@example.com\nBo,nope,bo@example.com\n"
    rejected = client.post(
        "/api/v1/customers/import",
        headers=admin["headers"],
        data={"file": (io.BytesIO(csv), "people.csv")},
    )
    assert rejected.status_code == 422
    body = rejected.get_json()
    assert body["imported"] == 0
    assert body["errors"][0]["row"] == 3
    assert body["errors"][0]["column"] == "phone"
    sup = client.get("/api/v1/customers?q=Al", headers=admin["headers"]).get_json()
    assert sup["total"] == 0
    skipped = client.post(
        "/api/v1/customers/import",
        headers=admin["headers"],
        data={"file": (io.BytesIO(csv), "people.csv"), "skip_bad_rows": "true"},
    )
    assert skipped.status_code == 200
    assert skipped.get_json()["imported"] == 1


def test_import_needs_a_file(client: Any, admin: Any) -> None:
    """Posting the import form without a file is a 422 naming file."""
    response = client.post("/api/v1/customers/import", headers=admin["headers"], data={})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "file"


def test_export_and_erase(client: Any, admin: Any, maria: Any) -> None:
    """Export returns the record; erasure removes it from look-ups and is audited."""
    exported = client.get(f"/api/v1/customers/{maria['id']}/export", headers=admin["headers"])
    assert exported.status_code == 200
    assert "maria.lopez@example.com" in exported.get_data(as_text=True)
    erased = client.post(
        f"/api/v1/customers/{maria['id']}/erase",
        json={"reason": "GDPR art. 17"},
        headers=admin["headers"],
    )
    assert erased.status_code == 204
    assert (
        client.get(f"/api/v1/customers/{maria['id']}", headers=admin["headers"]).status_code == 404
    )
    found = client.get(
        "/api/v1/customers", query_string={"phone": "202 555 0143"}, headers=admin["headers"]
    )
    assert found.get_json()["items"] == []


def test_erase_needs_admin_and_reason(client: Any, make_user: Any, admin: Any, maria: Any) -> None:
    """Only admins erase, and they must say why."""
    sup = make_user("supervisor")
    path = f"/api/v1/customers/{maria['id']}/erase"
    assert client.post(path, json={"reason": "asked"}, headers=sup["headers"]).status_code == 403
    response = client.post(path, json={}, headers=admin["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "reason"
