"""Do-not-call over the API: internal, national imports, a campaign's list; dispositions."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contactcentre.dialer.hopper import Hopper
from tests.integration.dialer.floor import add_attempt, add_campaign, add_lead, add_list

pytestmark = pytest.mark.usefixtures("validated_responses")

NY = "+12125550101"


@pytest.fixture
def floor(app: Any) -> dict[str, int]:
    """An active campaign with an opt-out-able disposition and one called lead."""
    with app.extensions["contactcentre"].db.session() as session:
        campaign = add_campaign(
            session,
            dispositions=[
                {"code": "remove_me", "label": "Asked to be removed", "do_not_call": True},
                {"code": "sale", "label": "Sale", "final": True},
            ],
        )
        lead = add_lead(session, add_list(session, campaign, "A"), NY)
        at = datetime.now(UTC) - timedelta(hours=1)
        add_attempt(session, lead, at, "human", answered_at=at, agent_connected_at=at, ended_at=at)
        return {"campaign": campaign.id, "lead": lead.id}


def _reasons(client: Any, headers: Any, floor: dict[str, int]) -> set[str]:
    url = f"/api/v1/campaigns/{floor['campaign']}/leads/{floor['lead']}/diagnostics"
    return {r["reason"] for r in client.get(url, headers=headers).get_json()["reasons"]}


def test_a_number_added_by_hand_is_suppressed_in_any_format(
    client: Any, admin: Any, floor: dict[str, int]
) -> None:
    """Internal list: any spelling is stored as E.164; listed once; the lead is undialable."""
    h = admin["headers"]
    first = client.post("/api/v1/campaigns/dnc", json={"number": "(212) 555-0101"}, headers=h)
    assert first.get_json() == {"number": NY, "added": True}
    again = client.post("/api/v1/campaigns/dnc", json={"number": NY}, headers=h)
    assert again.get_json()["added"] is False
    assert "do_not_call" in _reasons(client, h, floor)
    found = client.get("/api/v1/campaigns/dnc?number=2125550101", headers=h).get_json()
    assert [e["scope"] for e in found["entries"]] == ["internal"]


def test_a_national_registry_file_is_imported(
    client: Any, admin: Any, floor: dict[str, int]
) -> None:
    """A national CSV: good numbers listed, bad rows reported, listed numbers leave hoppers."""
    h = admin["headers"]
    redis = client.application.extensions["contactcentre"].redis
    Hopper(redis, floor["campaign"]).add({floor["lead"]: -1.0})
    body = "number\n212-555-0101\nnot a number\n+14155550102\n"
    data = {
        "scope": "national",
        "source": "registry 2026-12",
        "file": (io.BytesIO(body.encode()), "dnc.csv"),
    }
    done = client.post(
        "/api/v1/campaigns/dnc/import", data=data, headers=h, content_type="multipart/form-data"
    )
    assert done.status_code == 200, done.get_json()
    report = done.get_json()
    assert (report["added"], report["errors_total"]) == (2, 1)
    assert report["errors"][0]["row"] == 3
    assert Hopper(redis, floor["campaign"]).size() == 0
    assert "do_not_call" in _reasons(client, h, floor)


def test_a_campaign_list_applies_to_that_campaign(
    client: Any, admin: Any, floor: dict[str, int]
) -> None:
    """The campaign's own list suppresses its lead; an unknown campaign is a 404 naming it."""
    h = admin["headers"]
    url = f"/api/v1/campaigns/{floor['campaign']}/dnc"
    assert client.post(url, json={"number": NY}, headers=h).get_json()["added"] is True
    assert "do_not_call" in _reasons(client, h, floor)
    missing = client.post("/api/v1/campaigns/999/dnc", json={"number": NY}, headers=h)
    assert (missing.status_code, missing.get_json()["error"]["field"]) == (404, "campaign_id")


def test_bad_numbers_are_refused_naming_the_field(client: Any, admin: Any) -> None:
    """Not a number: 422 with field number."""
    refused = client.post("/api/v1/campaigns/dnc", json={"number": "12"}, headers=admin["headers"])
    assert (refused.status_code, refused.get_json()["error"]["field"]) == (422, "number")


@pytest.mark.parametrize("code", ["remove_me", "opt_out"])
def test_a_do_not_call_disposition_adds_the_number_at_once(
    client: Any, admin: Any, make_user: Any, floor: dict[str, int], code: str
) -> None:
    """An agent's do-not-call disposition (the campaign's own, or the built-in opt_out) puts
    the number on the internal list in the same request and takes it out of the hopper."""
    redis = client.application.extensions["contactcentre"].redis
    Hopper(redis, floor["campaign"]).add({floor["lead"]: -1.0})
    agent = make_user("agent")["headers"]
    url = f"/api/v1/campaigns/{floor['campaign']}/leads/{floor['lead']}/disposition"
    done = client.post(url, json={"code": code}, headers=agent)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["added_to_dnc"] is True
    assert Hopper(redis, floor["campaign"]).size() == 0
    found = client.get(f"/api/v1/campaigns/dnc?number={NY}", headers=admin["headers"]).get_json()
    assert [e["scope"] for e in found["entries"]] == ["internal"]


def test_other_dispositions_do_not_suppress_and_unknown_ones_are_refused(
    client: Any, admin: Any, floor: dict[str, int]
) -> None:
    """A final disposition closes the lead without DNC; an unknown code is a 422 naming it."""
    h = admin["headers"]
    url = f"/api/v1/campaigns/{floor['campaign']}/leads/{floor['lead']}/disposition"
    assert client.post(url, json={"code": "sale"}, headers=h).get_json()["added_to_dnc"] is False
    assert _reasons(client, h, floor) >= {"final_disposition"}
    assert "do_not_call" not in _reasons(client, h, floor)
    refused = client.post(url, json={"code": "whatever"}, headers=h)
    assert (refused.status_code, refused.get_json()["error"]["field"]) == (422, "code")
