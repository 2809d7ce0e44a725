"""/api/v1/campaigns: configuration within the law, audited overrides, the status machine."""

from __future__ import annotations

from typing import Any

import pytest
import redis as redis_lib
from rq import Queue
from sqlalchemy import select

from contactcentre.dialer import hopper
from contactcentre.store.models import AuditEntry
from contactcentre.webapi.common import INT32_MAX

pytestmark = pytest.mark.usefixtures("validated_responses")

BASE = "/api/v1/campaigns"


def _queue(client: Any, headers: dict[str, str]) -> int:
    created = client.post("/api/v1/queues", json={"name": "Outbound"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    return int(created.get_json()["id"])


def _create(client: Any, headers: dict[str, str], **fields: Any) -> Any:
    body = {"name": "Renewals", "caller_id": "+442079460958", **fields}
    return client.post(BASE, json=body, headers=headers)


def _error(response: Any, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    error: dict[str, Any] = response.get_json()["error"]
    assert error["field"] == field, error
    return error


def test_a_new_campaign_is_a_draft_with_the_legal_defaults(client: Any, admin: Any) -> None:
    """Created with only a name and caller ID: draft, 8:00-21:00, 3%, 15 s ring, US rules."""
    created = _create(client, admin["headers"])
    assert created.status_code == 201, created.get_json()
    campaign = created.get_json()
    assert campaign["status"] == "draft"
    assert (campaign["window_start"], campaign["window_end"]) == ("08:00:00", "21:00:00")
    assert campaign["abandon_limit"] == 0.03
    assert campaign["min_ring_seconds"] == 15.0
    assert campaign["jurisdiction"] == "us"
    assert campaign["retry_delays"]["busy"] == 20 * 60
    assert campaign["legal_overrides"] == []


def test_every_mode_and_its_settings_are_kept(client: Any, admin: Any) -> None:
    """Power mode keeps its ratio; the script, custom fields and dispositions come back."""
    h = admin["headers"]
    created = _create(
        client,
        h,
        mode="power",
        dial_ratio=2.5,
        queue_id=_queue(client, h),
        jurisdiction="uk",
        time_zone="Europe/London",
        retry_delays={"busy": 600},
        script="Hello {first_name}, this is Acme about your renewal.",
        custom_fields=[{"name": "plan", "label": "Current plan"}],
        dispositions=[{"code": "sale", "label": "Sale", "final": True}],
    )
    assert created.status_code == 201, created.get_json()
    campaign = created.get_json()
    assert (campaign["mode"], campaign["dial_ratio"]) == ("power", 2.5)
    assert campaign["retry_delays"]["busy"] == 600
    assert campaign["retry_delays"]["no_answer"] == 7200  # the others keep their defaults
    assert campaign["custom_fields"] == [{"name": "plan", "label": "Current plan"}]
    assert campaign["dispositions"][0]["code"] == "sale"
    for mode in ("preview", "progressive", "predictive"):
        changed = client.patch(f"{BASE}/{campaign['id']}", json={"mode": mode}, headers=h)
        assert changed.get_json()["mode"] == mode


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"caller_id": "2125550199"}, "caller_id", "E.164"),
        ({"caller_id": "+1212"}, "caller_id", ""),
        ({"abandon_limit": 0.05}, "abandon_limit", "audited override"),
        ({"min_ring_seconds": 10.0, "ring_timeout_seconds": 12.0}, "min_ring_seconds", "legal"),
        ({"connect_seconds": 3.0}, "connect_seconds", "legal"),
        ({"window_start": "07:30"}, "window_start", "wider than the legal"),
        ({"window_end": "21:30"}, "window_end", "wider than the legal"),
        ({"window_start": "18:00", "window_end": "09:00"}, "window_end", "impossible window"),
        ({"window_start": "25:00"}, "window_start", "not a local time"),
        ({"ring_timeout_seconds": 14.0}, "ring_timeout_seconds", "at least 15"),
        ({"retry_delays": {"sometimes": 5}}, "retry_delays", "unknown outcome"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "IANA"),
        ({"queue_id": 999}, "queue_id", "no queue"),
        ({"dial_ratio": 0.5}, "dial_ratio", ""),
        ({"mode": "blast"}, "mode", ""),
        ({"queue_id": INT32_MAX + 1}, "queue_id", ""),
    ],
)
def test_illegal_or_impossible_settings_name_the_field(
    client: Any, admin: Any, fields: dict[str, Any], field: str, words: str
) -> None:
    """No setting past the law (or impossible) is stored: 422 with the field and why."""
    error = _error(_create(client, admin["headers"], **fields), 422, field)
    assert words in error["message"]
    assert client.get(BASE, headers=admin["headers"]).get_json()["total"] == 0


def test_an_audited_override_alone_lets_a_setting_past_the_law(
    client: Any, admin: Any, app: Any
) -> None:
    """5% abandon is refused until an override names who, why and where; then it is kept,
    and the override is in the campaign and the audit log."""
    h = admin["headers"]
    campaign = _create(client, h).get_json()
    url = f"{BASE}/{campaign['id']}"
    _error(client.patch(url, json={"abandon_limit": 0.05}, headers=h), 422, "abandon_limit")
    granted = client.post(
        f"{url}/overrides",
        json={
            "rule": "abandon_limit",
            "value": 0.05,
            "reason": "regulator's pilot",
            "reference": "LEGAL-42",
        },
        headers=h,
    )
    assert granted.status_code == 200, granted.get_json()
    override = granted.get_json()["legal_overrides"][0]
    assert override["approved_by"].startswith(f"user:{admin['id']}")
    assert (
        client.patch(url, json={"abandon_limit": 0.05}, headers=h).get_json()["abandon_limit"]
        == 0.05
    )
    _error(client.patch(url, json={"abandon_limit": 0.06}, headers=h), 422, "abandon_limit")
    window = client.post(
        f"{url}/overrides",
        json={
            "rule": "calling_window",
            "value": ["07:00", "21:00"],
            "reason": "B2B",
            "reference": "T-1",
        },
        headers=h,
    )
    assert window.status_code == 200, window.get_json()
    assert client.patch(url, json={"window_start": "07:30"}, headers=h).status_code == 200
    with app.extensions["contactcentre"].db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == str(campaign["id"]))
        ).all()
    assert actions.count("campaign.legal_override") == 2


def test_an_override_must_say_why(client: Any, admin: Any) -> None:
    """An override without a reason, or of the wrong shape, is refused naming the field."""
    h = admin["headers"]
    url = f"{BASE}/{_create(client, h).get_json()['id']}/overrides"
    body = {"rule": "abandon_limit", "value": 0.05, "reference": "X"}
    _error(client.post(url, json={**body, "reason": ""}, headers=h), 422, "reason")
    wrong = {**body, "reason": "why not", "value": ["07:00", "21:00"]}
    _error(client.post(url, json=wrong, headers=h), 422, "value")


def test_status_moves_follow_the_state_machine(
    client: Any, admin: Any, make_user: Any, redis_url: str
) -> None:
    """A supervisor starts, pauses, resumes and stops; illegal moves answer 409 JSON."""
    h = admin["headers"]
    campaign = _create(client, h).get_json()
    url = f"{BASE}/{campaign['id']}/status"
    supervisor = make_user("supervisor")["headers"]
    error = _error(client.post(url, json={"status": "active"}, headers=supervisor), 409, "queue_id")
    assert error["code"] == "not_ready"
    client.patch(f"{BASE}/{campaign['id']}", json={"queue_id": _queue(client, h)}, headers=h)
    for status in ("active", "paused", "active", "stopped"):
        moved = client.post(url, json={"status": status}, headers=supervisor)
        assert moved.status_code == 200, moved.get_json()
        assert moved.get_json()["status"] == status
        if status == "active":  # activation asks a worker to fill the hopper
            queue = Queue(hopper.QUEUE, connection=redis_lib.Redis.from_url(redis_url))
            assert f"{hopper.JOB_PREFIX}{campaign['id']}" in queue.job_ids
    refused = _error(client.post(url, json={"status": "active"}, headers=supervisor), 409, "status")
    assert refused["code"] == "illegal_transition"
    assert "stopped is final" in refused["message"]
    _error(
        client.patch(f"{BASE}/{campaign['id']}", json={"script": "x"}, headers=h),
        409,
        "campaign_id",
    )


def test_draft_cannot_pause(client: Any, admin: Any) -> None:
    """A draft that never ran cannot be paused: 409 saying where it may go."""
    campaign = _create(client, admin["headers"]).get_json()
    refused = client.post(
        f"{BASE}/{campaign['id']}/status", json={"status": "paused"}, headers=admin["headers"]
    )
    error = _error(refused, 409, "status")
    assert "active, stopped" in error["message"]


def test_roles_admins_configure_supervisors_view(client: Any, admin: Any, make_user: Any) -> None:
    """Agents see no campaigns; supervisors see them but cannot configure them."""
    campaign = _create(client, admin["headers"]).get_json()
    agent = make_user("agent")["headers"]
    supervisor = make_user("supervisor")["headers"]
    assert client.get(BASE, headers=agent).status_code == 403
    assert client.get(f"{BASE}/{campaign['id']}", headers=supervisor).status_code == 200
    assert _create(client, supervisor, name="Other").status_code == 403
    patched = client.patch(f"{BASE}/{campaign['id']}", json={"script": "x"}, headers=supervisor)
    assert patched.status_code == 403


def test_ids_past_int32_are_refused_not_crashed(client: Any, admin: Any) -> None:
    """A campaign id of 2**31 is a 4xx naming the field, on every database."""
    for url in (f"{BASE}/{INT32_MAX + 1}", f"{BASE}/{INT32_MAX + 1}/diagnostics"):
        _error(client.get(url, headers=admin["headers"]), 422, "campaign_id")
    assert client.get(f"{BASE}/{INT32_MAX}", headers=admin["headers"]).status_code == 404


def test_duplicate_names_are_a_conflict(client: Any, admin: Any) -> None:
    """Two campaigns cannot share a name."""
    _create(client, admin["headers"])
    _error(_create(client, admin["headers"]), 409, "name")
