"""The reports API on a worked example: JSON and CSV carry the same numbers, ranges are read in
the viewer's time zone, and bad input answers 422 naming the field."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from contactcentre.reporting.rollup import roll_up
from contactcentre.store.models import Queue
from tests.integration.reporting.builders import add_contact, log

START = datetime(2026, 5, 4, 8, 5, tzinfo=UTC)
DAY = {"from": "2026-05-04", "to": "2026-05-05", "tz": "UTC"}


@pytest.fixture
def floor(app: Any, make_user: Any) -> dict[str, Any]:
    """Billing (20 s target, 5 s short abandons): answered at 10 s and handled in 106 s by an
    agent, abandoned at 40 s, a 2 s short abandon; rolled up."""
    agent = make_user("agent")
    aid = str(agent["agent_id"])
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        billing = Queue(name="Billing", sla_target_seconds=20, short_abandon_seconds=5)
        session.add(billing)
        session.flush()
        queued = ("queued", 0.0, {"queue_id": billing.id})
        answered, abandoned, short = (add_contact(session, queue_id=billing.id) for _ in range(3))
        log(
            session, answered, START, queued,
            ("accepted", 10.0, {"agent_id": aid}), ("answered", 14.0, {"agent_id": aid}),
            ("completed", 100.0, {}),
            ("disposition", 120.0, {"agent_id": aid, "code": "resolved", "resolved": True}),
        )  # fmt: skip
        log(session, abandoned, START, queued, ("canceled", 40.0, {}))
        log(session, short, START, queued, ("canceled", 2.0, {}))
        session.commit()
    roll_up(runtime.db)
    return {"supervisor": make_user("supervisor"), "agent": agent, "queue_id": billing.id}


def test_service_level_report_json_and_csv_agree(client: Any, floor: dict[str, Any]) -> None:
    """Service level 50% (1 answered in 20 s of 2, the short abandon out), ASA 10 s, AHT 106 s;
    the CSV has the same row."""
    headers = floor["supervisor"]["headers"]
    query = {**DAY, "group": "queue"}
    reply = client.get("/api/v1/reports/service-level", query_string=query, headers=headers)
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    (row,) = body["rows"]
    assert row["queue"] == "Billing"
    assert (row["offered"], row["answered"], row["abandoned"], row["short_abandons"]) == (
        3,
        1,
        2,
        1,
    )
    assert (row["service_level"], row["asa_seconds"], row["aht_seconds"]) == (0.5, 10.0, 106.0)
    assert body["definitions"]["service_level"]["id"] == "service_level.genesys v1"
    file = client.get(
        "/api/v1/reports/service-level", query_string={**query, "format": "csv"}, headers=headers
    )
    assert file.mimetype == "text/csv"
    assert "attachment" in file.headers["Content-Disposition"]
    (csv_row,) = list(csv.DictReader(io.StringIO(file.get_data(as_text=True))))
    assert csv_row["service_level"] == "0.5" and csv_row["offered"] == "3"


def test_intervals_are_read_in_the_viewers_zone(client: Any, floor: dict[str, Any]) -> None:
    """08:00 UTC is 10:00 in Madrid: the interval row is labelled in the asked zone."""
    headers = floor["supervisor"]["headers"]
    query = {"from": "2026-05-04", "tz": "Europe/Madrid", "group": "interval"}
    body = client.get(
        "/api/v1/reports/service-level", query_string=query, headers=headers
    ).get_json()
    assert [r["interval"] for r in body["rows"]] == ["2026-05-04T10:00+02:00"]
    empty = {"from": "2026-05-05", "tz": "Europe/Madrid"}
    none = client.get("/api/v1/reports/service-level", query_string=empty, headers=headers)
    assert none.get_json()["rows"] == []


def test_the_other_reports(client: Any, floor: dict[str, Any]) -> None:
    """Agents, abandon profile, dispositions, segments and the export on the same floor."""
    headers = floor["supervisor"]["headers"]

    def get(name: str) -> dict[str, Any]:
        reply = client.get(f"/api/v1/reports/{name}", query_string=DAY, headers=headers)
        assert reply.status_code == 200, reply.get_json()
        return dict(reply.get_json())

    (agent,) = get("agents")["rows"]
    assert (agent["handled"], agent["aht_seconds"], agent["talk_seconds"]) == (1, 106.0, 86.0)
    profile = {r["wait"]: r["abandoned"] for r in get("abandon-profile")["rows"]}
    assert (profile["0-5 s"], profile["30-60 s"], sum(profile.values())) == (1, 1, 2)
    (code,) = get("dispositions")["rows"]
    assert (code["disposition"], code["handled"], code["fcr"]) == ("resolved", 1, 1.0)
    (segment,) = get("segments")["rows"]
    assert (segment["segment"], segment["offered"], segment["longest_wait_seconds"]) == (
        "unknown", 3, 40.0,
    )  # fmt: skip
    export = get("interactions")
    assert len(export["rows"]) == 3
    assert sorted(r["outcome"] for r in export["rows"]) == ["abandoned", "abandoned", "answered"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-05-04", "to": "2026-05-03"}, "to"),
        ({"from": "2026-01-01", "to": "2028-01-01"}, "to"),
        ({"group": "fortnight"}, "group"),
        ({"format": "xlsx"}, "format"),
        ({"queue_id": "-1"}, "queue_id"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: Any, make_user: Any, query: dict[str, str], field: str
) -> None:
    """Each bad parameter answers 422 with a JSON error whose field names it."""
    headers = make_user("supervisor")["headers"]
    reply = client.get("/api/v1/reports/service-level", query_string=query, headers=headers)
    assert reply.status_code == 422
    assert reply.get_json()["error"]["field"] == field


def test_agents_may_not_read_reports(client: Any, make_user: Any) -> None:
    """Reports are for supervisors: an agent gets 403."""
    reply = client.get("/api/v1/reports/agents", headers=make_user("agent")["headers"])
    assert reply.status_code == 403
