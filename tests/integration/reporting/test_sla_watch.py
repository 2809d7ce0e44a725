"""The SLA watch on a real database: the most specific policy times each contact, breaches fall
at the right business time (weekend and holiday skipped), a changed policy re-times running
clocks, alerts are written once, and a rebuild from the log equals the incremental clocks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from contactcentre.reporting.sla_watch import rebuild, watch
from contactcentre.store.models import SlaAlert, SlaClockRow
from tests.integration.reporting.builders import add_contact, log
from tests.integration.reporting.sla_floor import FRIDAY_4PM, MADRID, sla_floor

NOW = FRIDAY_4PM.timestamp()


def _clocks(app: Any) -> dict[tuple[str, str], SlaClockRow]:
    with app.extensions["contactcentre"].db.session() as session:
        return {(c.interaction_id, c.target): c for c in session.scalars(select(SlaClockRow))}


def _alerts(app: Any) -> list[tuple[str, str, str]]:
    with app.extensions["contactcentre"].db.session() as session:
        rows = session.scalars(select(SlaAlert).order_by(SlaAlert.id))
        return [(a.interaction_id, a.target, a.level) for a in rows]


@pytest.fixture
def floor(app: Any, client: Any, admin: Any) -> dict[str, Any]:
    return sla_floor(app, client, admin)


def _voice(app: Any, queue_id: int, priority: int, at: datetime) -> str:
    with app.extensions["contactcentre"].db.session() as session:
        contact = add_contact(session, "voice", queue_id)
        log(
            session, contact, at, ("created", 0.0, {}),
            ("queued", 2.0, {"queue_id": queue_id, "priority": priority}),
        )  # fmt: skip
    return contact


def test_the_most_specific_policy_times_each_contact(app: Any, floor: dict[str, Any]) -> None:
    """Billing at priority 5 falls under "billing vip" (10 s); Billing at priority 0 and Sales
    under "voice" (20 s); a chat under none."""
    q = floor["queues"]
    vip = _voice(app, q["billing"], 5, FRIDAY_4PM)
    plain = _voice(app, q["billing"], 0, FRIDAY_4PM)
    sales = _voice(app, q["sales"], 5, FRIDAY_4PM)
    with app.extensions["contactcentre"].db.session() as session:
        chat = add_contact(session, "chat", q["billing"])
        log(session, chat, FRIDAY_4PM, ("queued", 0.0, {"queue_id": q["billing"]}))
    watch(app.extensions["contactcentre"].db, now=NOW + 5)
    found = _clocks(app)
    queued = FRIDAY_4PM + timedelta(seconds=2)
    assert found[(vip, "answer")].policy_id == floor["policies"]["vip"]
    assert found[(vip, "answer")].due_at == queued + timedelta(seconds=10)
    assert found[(plain, "answer")].due_at == queued + timedelta(seconds=20)
    assert found[(sales, "answer")].policy_id == floor["policies"]["voice"]
    assert not [key for key in found if key[0] == chat]


def _email(app: Any) -> str:
    with app.extensions["contactcentre"].db.session() as session:
        contact = add_contact(session, "email")
        log(session, contact, FRIDAY_4PM, ("created", 0.0, {}), ("message_in", 0.0, {}))
    return contact


def test_an_email_breaches_at_the_business_time_its_target_ends(
    app: Any, floor: dict[str, Any]
) -> None:
    """Friday 16:00 + 4 business hours = Monday 12:00: running at 11:59:59, breached at noon
    (breached at its due time), and an alert of each level written once."""
    db = app.extensions["contactcentre"].db
    email = _email(app)
    monday_noon = datetime(2026, 5, 11, 12, 0, tzinfo=MADRID)
    watch(db, now=monday_noon.timestamp() - 1)
    clock = _clocks(app)[(email, "first_response")]
    assert (clock.status, clock.due_at) == ("running", monday_noon)
    assert _alerts(app) == [(email, "first_response", "warning")]
    watch(db, now=monday_noon.timestamp())
    watch(db, now=monday_noon.timestamp() + 30)
    clock = _clocks(app)[(email, "first_response")]
    assert (clock.status, clock.breached_at) == ("breached", monday_noon)
    assert _alerts(app) == [
        (email, "first_response", "warning"),
        (email, "first_response", "breach"),
    ]


def test_a_holiday_moves_the_breach_to_the_next_day(app: Any, client: Any, admin: Any) -> None:
    """With Monday a holiday the same email falls due on Tuesday at 12:00."""
    sla_floor(app, client, admin, holiday=True)
    email = _email(app)
    watch(app.extensions["contactcentre"].db, now=NOW + 60)
    due = _clocks(app)[(email, "first_response")].due_at
    assert due == datetime(2026, 5, 12, 12, 0, tzinfo=MADRID)


def test_a_reply_in_time_is_met_and_a_late_resolution_breached(
    app: Any, floor: dict[str, Any]
) -> None:
    """An agent's reply on Monday at 10:00 meets the first response (due 12:00); completing on
    Tuesday at 09:30 breaches the resolution (due Monday 16:00)."""
    email = _email(app)
    with app.extensions["contactcentre"].db.session() as session:
        log(
            session, email, datetime(2026, 5, 11, 10, 0, tzinfo=MADRID),
            ("message_out", 0.0, {"by": "agent"}), ("completed", 84_600.0, {}),
        )  # fmt: skip
    watch(app.extensions["contactcentre"].db, now=NOW + 5 * 86_400)
    found = _clocks(app)
    assert found[(email, "first_response")].status == "met"
    resolution = found[(email, "resolution")]
    assert (resolution.status, resolution.due_at) == (
        "breached",
        datetime(2026, 5, 11, 16, 0, tzinfo=MADRID),
    )


def test_a_changed_policy_re_times_the_running_clocks(
    app: Any, client: Any, admin: Any, floor: dict[str, Any]
) -> None:
    """Raising voice's answer target to 60 s moves a waiting call's due time at the next run."""
    db = app.extensions["contactcentre"].db
    call = _voice(app, floor["queues"]["sales"], 0, FRIDAY_4PM)
    watch(db, now=NOW + 5)
    body = {"name": "voice", "channel": "voice", "answer_seconds": 60}
    reply = client.put(
        f"/api/v1/sla/policies/{floor['policies']['voice']}", json=body, headers=admin["headers"]
    )
    assert reply.status_code == 200, reply.get_json()
    watch(db, now=NOW + 6)
    assert _clocks(app)[(call, "answer")].due_at == FRIDAY_4PM + timedelta(seconds=62)


def test_a_rebuild_from_the_log_equals_the_incremental_clocks(
    app: Any, floor: dict[str, Any]
) -> None:
    """Clocks timed run by run as events arrive equal those rebuilt from the log at once."""
    db = app.extensions["contactcentre"].db
    q = floor["queues"]
    first = _voice(app, q["billing"], 5, FRIDAY_4PM)
    watch(db, now=NOW + 5)
    with db.session() as session:
        log(session, first, FRIDAY_4PM, ("accepted", 8.0, {"agent_id": "1"}))
    _voice(app, q["sales"], 0, FRIDAY_4PM)
    email = _email(app)
    watch(db, now=NOW + 30)
    with db.session() as session:
        log(session, email, FRIDAY_4PM, ("message_out", 100.0, {"by": "agent"}))
    watch(db, now=NOW + 200)

    def rows() -> list[tuple[Any, ...]]:
        return sorted(
            (c.interaction_id, c.target, c.policy_id, c.status, c.due_at, c.stopped_at)
            for c in _clocks(app).values()
        )

    incremental = rows()
    assert rebuild(db, now=NOW + 200) == len(incremental) == 4
    assert rows() == incremental
