"""Builders for the SLA tests: a floor of queues, a Madrid office calendar with a holiday, and
policies, written through the admin API so its validation is on the path."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from contactcentre.store.models import Queue

MADRID = ZoneInfo("Europe/Madrid")
# Friday 8 May 2026, 16:00 in Madrid; Monday the 11th is made a holiday in some tests.
FRIDAY_4PM = datetime(2026, 5, 8, 16, 0, tzinfo=MADRID)
OFFICE_HOURS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def post(client: Any, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    reply = client.post(path, json=body, headers=headers)
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def sla_floor(
    app: Any, client: Any, admin: dict[str, Any], holiday: bool = False
) -> dict[str, Any]:
    """Queues Billing and Sales; policies: any voice contact 20 s to answer (wall clock);
    Billing at priority 5, 10 s; email 4 business hours to first reply and 8 to resolve on the
    Madrid office calendar (Mon-Fri 09-17, Monday 11 May a holiday when asked)."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        billing, sales = Queue(name="Billing"), Queue(name="Sales")
        session.add_all([billing, sales])
        session.flush()
        queues = {"billing": billing.id, "sales": sales.id}
    headers = admin["headers"]
    holidays = [{"day": "2026-05-11", "name": "local holiday"}] if holiday else []
    calendar = post(
        client,
        "/api/v1/sla/calendars",
        {"name": "Madrid office", "time_zone": "Europe/Madrid", "hours": OFFICE_HOURS,
         "holidays": holidays},
        headers,
    )  # fmt: skip
    voice = post(
        client,
        "/api/v1/sla/policies",
        {"name": "voice", "channel": "voice", "answer_seconds": 20},
        headers,
    )
    vip = post(
        client,
        "/api/v1/sla/policies",
        {"name": "billing vip", "queue_id": queues["billing"], "priority": 5,
         "answer_seconds": 10},
        headers,
    )  # fmt: skip
    email = post(
        client,
        "/api/v1/sla/policies",
        {"name": "email", "channel": "email", "calendar_id": calendar["id"],
         "first_response_seconds": 4 * 3600, "resolution_seconds": 8 * 3600},
        headers,
    )  # fmt: skip
    return {
        "queues": queues,
        "calendar": calendar,
        "policies": {"voice": voice["id"], "vip": vip["id"], "email": email["id"]},
    }
