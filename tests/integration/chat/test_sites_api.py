"""Administrators manage chat sites: exact origins, a generated key, validation naming fields."""

from __future__ import annotations

from typing import Any

import pytest

from contactcentre.store.models import AuditEntry

pytestmark = pytest.mark.usefixtures("validated_responses")


def test_admin_creates_a_site_with_a_key_and_exact_origins(
    app: Any, client: Any, admin: Any
) -> None:
    """A new site gets a wk_ key, normalised origins and the embed snippet; it is audited."""
    response = client.post(
        "/api/v1/chat-sites",
        json={
            "name": "Shop",
            "allowed_origins": ["https://Shop.Example.com/", "https://shop.example.com:443"],
            "theme": {"primary": "#123456"},
        },
        headers=admin["headers"],
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    site = response.get_json()
    assert site["widget_key"].startswith("wk_")
    assert site["allowed_origins"] == ["https://shop.example.com"]
    assert site["widget_key"] in site["embed"]
    with app.extensions["contactcentre"].db.session() as session:
        entry = session.query(AuditEntry).filter_by(action="chat_site.create").one()
        assert entry.target_id == str(site["id"])


def test_bad_sites_are_refused_naming_the_field(client: Any, admin: Any) -> None:
    """Wildcards, paths, credentials, bad ports, theme and hours errors are 422s naming it."""
    for body, field in (
        ({"name": "x", "allowed_origins": ["https://ann@a.com"]}, "allowed_origins"),
        ({"name": "x", "allowed_origins": ["https://a.com:99999"]}, "allowed_origins"),
        ({"name": "x", "allowed_origins": ["null"]}, "allowed_origins"),
        ({"name": "x", "allowed_origins": []}, "allowed_origins"),
        ({"name": "x", "allowed_origins": ["https://*.example.com"]}, "allowed_origins"),
        ({"name": "x", "allowed_origins": ["https://a.com/shop"]}, "allowed_origins"),
        ({"name": "x", "allowed_origins": ["https://a.com"], "theme": {"font": "x"}}, "theme"),
        (
            {"name": "x", "allowed_origins": ["https://a.com"], "business_hours": {"weekly": 3}},
            "business_hours",
        ),
        ({"name": "x", "allowed_origins": ["https://a.com"], "queue_id": 999}, "queue_id"),
    ):
        response = client.post("/api/v1/chat-sites", json=body, headers=admin["headers"])
        assert response.status_code in (404, 422), body
        assert field in str(response.get_json()["error"]), (body, response.get_json())


def test_only_admins_manage_sites(client: Any, make_user: Any) -> None:
    """Agents and supervisors are refused."""
    for role in ("agent", "supervisor"):
        user = make_user(role)
        assert client.get("/api/v1/chat-sites", headers=user["headers"]).status_code == 403
