"""GET /api/v1/metrics/definitions: every definition with its unit, denominator, business-hours
scope and zero behaviour, for any signed-in user."""

from __future__ import annotations

from typing import Any


def test_the_api_lists_every_definition_with_its_statement(client: Any, make_user: Any) -> None:
    """Each item states unit, denominator, scope and zero behaviour; ids are the served ones."""
    agent = make_user("agent")
    reply = client.get("/api/v1/metrics/definitions", headers=agent["headers"])
    assert reply.status_code == 200
    items = {item["key"]: item for item in reply.get_json()["items"]}
    assert items["aht"]["served_id"] == "aht v2"
    assert items["ces"]["better"] == "lower"
    for metric in ("asa", "csat", "transfer_rate", "callbacks_kept", "occupancy", "utilisation"):
        assert metric in items
    assert {i["id"] for i in items.values()} >= {
        "service_level.genesys",
        "service_level.asterisk_sl",
        "service_level.asterisk_sl2",
        "service_level.connect",
        "fcr.disposition",
        "fcr.no_repeat",
        "dialer_drop_rate",
        "first_response_time",
        "next_response_time",
        "resolution_time",
    }
    for item in items.values():
        assert item["zero_denominator"] and item["denominator"] and item["business_hours"]


def test_anonymous_callers_are_refused(client: Any) -> None:
    """Without a session or a token the definitions answer 401 with a JSON error."""
    reply = client.get("/api/v1/metrics/definitions")
    assert reply.status_code == 401
    assert reply.get_json()["error"]["code"] == "unauthenticated"
