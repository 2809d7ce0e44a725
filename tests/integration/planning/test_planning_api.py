"""/api/v1/planning/* on a real database: the calculator's textbook answer, a forecast read from
the interval tables with its WAPE, the staff each interval needs, and bad input as 4xx naming
the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from contactcentre.reporting.rollup import roll_up
from contactcentre.store.models import Queue
from contactcentre.webapi.common import INT32_MAX
from routing.planning.staffing import Demand, Target, staff
from tests.integration.planning.history import last_monday, mondays_at_nine
from tests.integration.reporting.builders import add_contact, log

CCH = {"contacts": 100, "interval_minutes": 30, "aht_seconds": 180, "service_level": 0.8,
       "answer_seconds": 20, "shrinkage": 0.3}  # fmt: skip


@pytest.fixture
def supervisor(make_user: Any) -> dict[str, str]:
    headers: dict[str, str] = make_user("supervisor")["headers"]
    return headers


@pytest.fixture
def history(app: Any) -> dict[str, Any]:
    """Billing on the four Mondays before `covered`: 10, 20, 30, 40 contacts at 09:00, AHT 100 s;
    the oldest week also had 3 callers hang up after 180 s of waiting in all (patience 60 s)."""
    covered = last_monday()
    with app.extensions["contactcentre"].db.session() as session:
        queue = mondays_at_nine(
            session, covered, [10, 20, 30, 40], 100.0,
            abandoned=3, answer_wait_ms=120_000, abandon_wait_ms=60_000,
        )  # fmt: skip
        return {"queue_id": queue.id, "target_day": (covered + timedelta(weeks=1)).date()}


def test_staffing_matches_call_centre_helpers_worked_example(client: Any, supervisor: Any) -> None:
    """100 calls in 30 min at 180 s, 80/20, 30% shrinkage: 14 agents, 20 scheduled, SL 0.8884."""
    reply = client.get("/api/v1/planning/staffing", query_string=CCH, headers=supervisor)
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["offered_load_erlangs"] == 10.0
    erlang_c = body["models"]["erlang_c"]
    assert (erlang_c["agents"], erlang_c["scheduled"], erlang_c["service_level"]) == (
        14,
        20,
        0.8884,
    )
    assert "erlang_a" not in body["models"]


def test_staffing_with_patience_answers_erlang_a_and_simulates(
    client: Any, supervisor: Any
) -> None:
    """With 120 s patience Erlang A needs 12; simulate=true adds the engine's 95% CIs per model."""
    query = {**CCH, "patience_seconds": 120, "simulate": "true", "replications": 4,
             "simulated_contacts": 4000}  # fmt: skip
    body = client.get(
        "/api/v1/planning/staffing", query_string=query, headers=supervisor
    ).get_json()
    erlang_a = body["models"]["erlang_a"]
    assert erlang_a["agents"] == 12
    simulated = erlang_a["simulation"]
    assert simulated["replications"] == 4 and simulated["agents"] == 12
    assert simulated["service_level"]["low"] <= simulated["service_level"]["high"]
    assert set(simulated["covers"]) == {"service_level", "asa_seconds", "occupancy", "abandon_rate"}
    assert "abandon_rate" not in body["models"]["erlang_c"]["simulation"]["covers"]


def test_forecast_reads_the_interval_tables(client: Any, supervisor: Any, history: Any) -> None:
    """Monday 09:00 averages the four Mondays (25 contacts, AHT 100 s); the held-out weeks' WAPE
    is 0.5 against 0.2857 for last week (the history is a rising trend, which a mean lags)."""
    query = {"from": history["target_day"].isoformat(), "queue_id": history["queue_id"]}
    reply = client.get("/api/v1/planning/forecast", query_string=query, headers=supervisor)
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert len(body["intervals"]) == 96
    nine = body["intervals"][36]
    assert nine["interval_start"].endswith("T09:00:00+00:00")
    assert (nine["contacts"], nine["aht_seconds"], nine["weeks_used"]) == (25.0, 100.0, 4)
    assert sum(row["contacts"] for row in body["intervals"]) == 25.0
    accuracy = body["accuracy"]
    assert accuracy["contacts_wape"] == 0.5
    assert accuracy["baseline_contacts_wape"] == pytest.approx(20 / 70, abs=1e-6)
    assert body["history"]["contacts"] == 100


def test_holidays_are_skipped(client: Any, supervisor: Any, history: Any) -> None:
    """Declaring the Monday with 40 contacts a holiday leaves 10, 20, 30: a mean of 20."""
    holiday = history["target_day"] - timedelta(weeks=2)
    query = {"from": history["target_day"].isoformat(), "queue_id": history["queue_id"],
             "holidays": f"{holiday.isoformat()}, 2026-12-25"}  # fmt: skip
    body = client.get(
        "/api/v1/planning/forecast", query_string=query, headers=supervisor
    ).get_json()
    assert body["intervals"][36]["contacts"] == 20.0
    assert body["holidays"] == sorted([holiday.isoformat(), "2026-12-25"])


def test_requirements_staff_each_interval(client: Any, supervisor: Any, history: Any) -> None:
    """09:00's 25 contacts at 100 s are staffed by the calculator at the queue's own 30 s target,
    with the patience the history shows (180 s of waiting over 3 hang-ups = 60 s)."""
    query = {"from": history["target_day"].isoformat(), "queue_id": history["queue_id"],
             "service_level": 0.8, "shrinkage": 0.25}  # fmt: skip
    reply = client.get("/api/v1/planning/requirements", query_string=query, headers=supervisor)
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert (body["patience_seconds"], body["patience_source"]) == (60.0, "observed")
    assert body["target"]["answer_seconds"] == 30.0
    demand, target = Demand(25, 100, 900, 60.0), Target(0.8, 30)
    nine = body["intervals"][36]
    assert nine["erlang_c"]["agents"] == staff("erlang_c", demand, target).agents
    assert nine["erlang_a"]["agents"] == staff("erlang_a", demand, target).agents
    assert nine["erlang_c"]["scheduled"] == staff("erlang_c", demand, target, 0.25).scheduled
    assert body["peak"]["erlang_c"] == nine["erlang_c"]["agents"]
    quiet = body["intervals"][0]
    assert quiet["contacts"] == 0 and quiet["erlang_c"]["agents"] == 0


def test_forecast_after_a_real_roll_up(
    app: Any, client: Any, supervisor: Any, make_user: Any
) -> None:
    """Contacts logged as events and rolled up: next week's same interval forecasts them (3
    offered, one handled in 106 s), read from the tables the roll-up wrote."""
    aid = str(make_user("agent")["agent_id"])
    monday = last_monday()
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        support = Queue(name="Support")
        session.add(support)
        session.flush()
        queued = ("queued", 0.0, {"queue_id": support.id})
        contacts = [add_contact(session, queue_id=support.id) for _ in range(3)]
        start = monday + timedelta(hours=8, minutes=5)
        done = {"agent_id": aid, "code": "resolved", "resolved": True}
        log(session, contacts[0], start, queued, ("accepted", 10.0, {"agent_id": aid}),
            ("answered", 14.0, {"agent_id": aid}), ("completed", 100.0, {}),
            ("disposition", 120.0, done))  # fmt: skip
        log(session, contacts[1], start, queued, ("canceled", 40.0, {}))
        log(session, contacts[2], start, queued, ("canceled", 2.0, {}))
        session.commit()
    roll_up(runtime.db)
    day = (monday + timedelta(weeks=1)).date().isoformat()
    body = client.get("/api/v1/planning/forecast", query_string={"from": day}, headers=supervisor)
    eight = body.get_json()["intervals"][32]
    assert (eight["contacts"], eight["aht_seconds"], eight["weeks_used"]) == (3.0, 106.0, 1)


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("staffing", {"aht_seconds": 180}, "contacts"),
        ("staffing", {**CCH, "service_level": 1.5}, "service_level"),
        ("staffing", {**CCH, "aht_seconds": 0}, "aht_seconds"),
        ("staffing", {**CCH, "shrinkage": 0.99}, "shrinkage"),
        ("staffing", {**CCH, "max_abandon": "lots"}, "max_abandon"),
        ("staffing", {**CCH, "simulated_contacts": 10**9}, "simulated_contacts"),
        ("staffing", {**CCH, "contacts": 100_000, "aht_seconds": 3600}, "contacts"),
        ("staffing", {**CCH, "colour": "red"}, "colour"),
        ("forecast", {"tz": "Mars/Olympus"}, "tz"),
        ("forecast", {"from": "2026-05-04", "to": "2026-05-04"}, "to"),
        ("forecast", {"from": "2026-05-04", "to": "2026-06-04"}, "to"),
        ("forecast", {"from": "04/05/2026"}, "from"),
        ("forecast", {"queue_id": INT32_MAX + 1}, "queue_id"),
        ("forecast", {"weeks": 0}, "weeks"),
        ("forecast", {"holidays": "2026-12-25,xmas"}, "holidays"),
        ("requirements", {"held_out_weeks": 13}, "held_out_weeks"),
        ("requirements", {"patience_seconds": -1}, "patience_seconds"),
        ("requirements", {"max_occupancy": 0}, "max_occupancy"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client: Any, supervisor: Any, path, query, field):
    """Every impossible input answers 422 with the field's name, never a 500."""
    reply = client.get(f"/api/v1/planning/{path}", query_string=query, headers=supervisor)
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["error"]["field"] == field


def test_an_unknown_queue_is_a_404(client: Any, supervisor: Any) -> None:
    """A queue id that does not exist answers 404 naming queue_id."""
    reply = client.get("/api/v1/planning/requirements", query_string={"queue_id": INT32_MAX},
                       headers=supervisor)  # fmt: skip
    assert reply.status_code == 404
    assert reply.get_json()["error"]["field"] == "queue_id"


def test_agents_may_not_plan(client: Any, make_user: Any) -> None:
    """Planning is for supervisors and admins: an agent gets 403, nobody signed in 401."""
    agent = make_user("agent")["headers"]
    assert (
        client.get("/api/v1/planning/staffing", query_string=CCH, headers=agent).status_code == 403
    )
    assert client.get("/api/v1/planning/forecast").status_code == 401
    admin = make_user("admin")["headers"]
    assert (
        client.get("/api/v1/planning/staffing", query_string=CCH, headers=admin).status_code == 200
    )


def test_openapi_describes_the_planning_api(client: Any) -> None:
    """The three routes are in /api/v1/openapi.json with their parameters."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    staffing = {p["name"] for p in paths["/api/v1/planning/staffing"]["get"]["parameters"]}
    assert {"contacts", "aht_seconds", "patience_seconds", "shrinkage", "simulate"} <= staffing
    assert "/api/v1/planning/forecast" in paths and "/api/v1/planning/requirements" in paths
