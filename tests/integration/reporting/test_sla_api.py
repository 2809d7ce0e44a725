"""The SLA admin API and the sla-breaches report: calendars and policies round-trip, bad input
answers 4xx naming the field (ids past INT32_MAX too), and the report's JSON and CSV agree."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from contactcentre.reporting.sla_watch import watch
from contactcentre.webapi.common import INT32_MAX
from tests.integration.reporting.builders import add_contact, log
from tests.integration.reporting.sla_floor import FRIDAY_4PM, sla_floor

pytestmark = pytest.mark.usefixtures("validated_responses")


@pytest.fixture
def floor(app: Any, client: Any, admin: Any) -> dict[str, Any]:
    return sla_floor(app, client, admin, holiday=True)


def test_a_calendar_and_a_policy_read_back_as_written(
    client: Any, admin: Any, floor: dict[str, Any], make_user: Any
) -> None:
    """A supervisor reads what the admin wrote: hours, holidays, targets, the calendar."""
    boss = make_user("supervisor")["headers"]
    calendar = client.get(f"/api/v1/sla/calendars/{floor['calendar']['id']}", headers=boss)
    assert calendar.get_json()["holidays"] == [{"day": "2026-05-11", "name": "local holiday"}]
    assert calendar.get_json()["hours"]["mon"] == [["09:00", "17:00"]]
    policy = client.get(f"/api/v1/sla/policies/{floor['policies']['email']}", headers=boss)
    body = policy.get_json()
    assert (body["calendar_id"], body["first_response_seconds"]) == (floor["calendar"]["id"], 14400)
    names = [
        p["name"] for p in client.get("/api/v1/sla/policies", headers=boss).get_json()["items"]
    ]
    assert names == ["billing vip", "email", "voice"]


CALENDAR = {"name": "x", "time_zone": "UTC", "hours": {"mon": [["09:00", "17:00"]]}}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"hours": {}}, "hours"),
        ({"hours": {"mon": [["17:00", "09:00"]]}}, "hours.mon"),
        ({"hours": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "hours.mon"),
        ({"hours": {"mon": [["9am", "17:00"]]}}, "hours.mon[0][0]"),
        ({"hours": {"funday": [["09:00", "17:00"]]}}, "hours.funday.[key]"),
        ({"holidays": [{"day": "2026-02-30"}]}, "holidays[0].day"),
        ({"holidays": [{"day": "2026-12-25"}, {"day": "2026-12-25"}]}, "holidays[1].day"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_calendar_is_a_422_naming_the_field(
    client: Any, admin: Any, change: dict[str, Any], field: str
) -> None:
    """Unknown zone, no hours, backwards or overlapping spans, a bad time, an unknown day, an
    impossible or repeated holiday, an unknown field: each named."""
    reply = client.post(
        "/api/v1/sla/calendars", json={**CALENDAR, **change}, headers=admin["headers"]
    )
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["error"]["field"] == field


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "p"}, 422, "answer_seconds"),
        ({"name": "p", "answer_seconds": 0}, 422, "answer_seconds"),
        ({"name": "p", "answer_seconds": "20"}, 422, "answer_seconds"),
        ({"name": "p", "answer_seconds": 20, "queue_id": INT32_MAX + 1}, 422, "queue_id"),
        ({"name": "p", "answer_seconds": 20, "queue_id": INT32_MAX}, 422, "queue_id"),
        ({"name": "p", "answer_seconds": 20, "calendar_id": 2**40}, 422, "calendar_id"),
        ({"name": "p", "answer_seconds": 20, "calendar_id": 999}, 422, "calendar_id"),
        ({"name": "p", "answer_seconds": 20, "channel": "fax"}, 422, "channel"),
        ({"name": "p", "answer_seconds": 20, "warn_percent": 100}, 422, "warn_percent"),
        ({"name": "voice", "answer_seconds": 20}, 409, "name"),
        ({"name": "p", "channel": "voice", "answer_seconds": 5}, 409, "queue_id"),
    ],
)
@pytest.mark.usefixtures("floor")
def test_a_bad_policy_is_refused_naming_the_field(
    client: Any, admin: Any, body: dict[str, Any], status: int, field: str
) -> None:
    """No target, a zero or text target, ids past INT32_MAX or unknown, an unknown channel, a
    warning at 100%, a taken name, a second policy for the same scope."""
    reply = client.post("/api/v1/sla/policies", json=body, headers=admin["headers"])
    assert reply.status_code == status, reply.get_json()
    assert reply.get_json()["error"]["field"] == field


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/sla/policies/{INT32_MAX + 1}",
        f"/api/v1/sla/calendars/{2**63}",
        "/api/v1/sla/policies/0",
    ],
)
def test_an_id_out_of_range_is_a_422_and_an_unknown_one_404(
    client: Any, admin: Any, path: str
) -> None:
    """Path ids past INT32_MAX (or 0) are refused by the schema; INT32_MAX itself is not found."""
    assert client.get(path, headers=admin["headers"]).status_code == 422
    missing = client.get(f"/api/v1/sla/policies/{INT32_MAX}", headers=admin["headers"])
    assert missing.status_code == 404 and missing.get_json()["error"]["field"] == "policy_id"


def test_a_calendar_in_use_cannot_be_deleted(
    client: Any, admin: Any, floor: dict[str, Any]
) -> None:
    """The email policy keeps its calendar: 409 naming calendar_id; free once it is gone."""
    path = f"/api/v1/sla/calendars/{floor['calendar']['id']}"
    refused = client.delete(path, headers=admin["headers"])
    assert refused.status_code == 409 and refused.get_json()["error"]["field"] == "calendar_id"
    policy = f"/api/v1/sla/policies/{floor['policies']['email']}"
    assert client.delete(policy, headers=admin["headers"]).status_code == 204
    assert client.delete(path, headers=admin["headers"]).status_code == 204


def test_the_breaches_report_json_and_csv_agree(
    app: Any, client: Any, floor: dict[str, Any], make_user: Any
) -> None:
    """Billing: one call answered in 5 s (met), one in 30 s (breached), one still waiting long
    past 20 s (breached): 3 clocks, compliance 1/3, named sla_compliance.answer v1."""
    db = app.extensions["contactcentre"].db
    billing = floor["queues"]["billing"]
    with db.session() as session:
        for answer in (5.0, 30.0, None):
            contact = add_contact(session, "voice", billing)
            steps: list[tuple[str, float, dict[str, Any]]] = [
                ("queued", 0.0, {"queue_id": billing, "priority": 0})
            ]
            if answer is not None:
                steps.append(("accepted", answer, {"agent_id": "1"}))
            log(session, contact, FRIDAY_4PM, *steps)
    watch(db, now=FRIDAY_4PM.timestamp() + 3600)
    boss = make_user("supervisor")["headers"]
    query = {"from": "2026-05-08", "tz": "Europe/Madrid", "group": "queue"}
    body = client.get("/api/v1/reports/sla-breaches", query_string=query, headers=boss).get_json()
    (row,) = body["rows"]
    assert (row["queue"], row["target"], row["clocks"], row["met"], row["breached"]) == (
        "Billing", "answer", 3, 1, 2,
    )  # fmt: skip
    assert row["compliance"] == 0.3333 and row["definition"] == "sla_compliance.answer v1"
    assert "compliance" in body["definitions"]
    file = client.get(
        "/api/v1/reports/sla-breaches", query_string={**query, "format": "csv"}, headers=boss
    )
    (csv_row,) = list(csv.DictReader(io.StringIO(file.get_data(as_text=True))))
    assert (csv_row["breached"], csv_row["compliance"]) == ("2", "0.3333")
    bad = client.get(
        "/api/v1/reports/sla-breaches", query_string={**query, "group": "moon"}, headers=boss
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "group"
    big = client.get(
        "/api/v1/reports/sla-breaches", query_string={**query, "queue_id": 2**31}, headers=boss
    )
    assert big.status_code == 422 and big.get_json()["error"]["field"] == "queue_id"


def test_the_board_counts_todays_breaches_and_contacts_at_risk(
    app: Any, client: Any, floor: dict[str, Any], make_user: Any
) -> None:
    """A call queued 30 s ago (breached) and one 17 s ago (past the 16 s warning): the board
    says 1 breach today and 1 contact at risk."""
    db = app.extensions["contactcentre"].db
    now = time.time()
    with db.session() as session:
        for waited in (30.0, 17.0):
            contact = add_contact(session, "voice", floor["queues"]["sales"])
            start = datetime.fromtimestamp(now - waited, UTC)
            log(session, contact, start, ("queued", 0.0, {"queue_id": floor["queues"]["sales"]}))
    watch(db, now=now)
    board = client.get("/api/v1/board", headers=make_user("supervisor")["headers"]).get_json()
    assert (board["sla"]["breaches_today"], board["sla"]["at_risk"]) == (1, 1)
    assert board["sla"]["at_risk_contacts"][0]["target"] == "answer"


def test_the_sla_routes_are_in_the_openapi_document(client: Any) -> None:
    """Calendars, policies, a contact's clocks and the report are documented with schemas."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/sla/calendars",
        "/api/v1/sla/calendars/{calendar_id}",
        "/api/v1/sla/policies",
        "/api/v1/sla/policies/{policy_id}",
        "/api/v1/sla/interactions/{interaction_id}",
        "/api/v1/reports/sla-breaches",
    ):
        assert path in paths, path
    body = paths["/api/v1/sla/policies"]["post"]["requestBody"]
    assert "SlaPolicyIn" in str(body)
