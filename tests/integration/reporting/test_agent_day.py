"""An agent's day read from the real event log (SQLite): handled, AHT, missed offers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contactcentre.reporting.agent_day import agents_today
from tests.integration.reporting.builders import add_contact, log

START = datetime(2026, 5, 4, 8, tzinfo=UTC)
DAY = (START.replace(hour=0), START.replace(hour=0) + timedelta(days=1))


def test_agents_today_counts_handled_aht_and_missed(app: Any, make_user: Any) -> None:
    """Handled = accepted and ended; AHT runs from the agent's answer (ringing excluded) to the
    disposition: 126 s here, where accepted -> disposition (the old rule) would say 130 s."""
    aid = str(make_user("agent")["agent_id"])
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        call, missed = add_contact(session), add_contact(session)
        log(
            session,
            call,
            START,
            ("accepted", 0.0, {"agent_id": aid}),
            ("answered", 4.0, {"agent_id": aid}),
            ("completed", 100.0, {}),
            ("disposition", 130.0, {"agent_id": aid, "code": "resolved"}),
        )
        log(session, missed, START, ("offer_expired", 0.0, {"agent_id": aid, "reason": "expired"}))
        session.commit()
    with runtime.db.session() as session:
        day = agents_today(session, *DAY)[aid].to_dict()
    assert day == {"handled": 1, "aht_seconds": 126.0, "missed_offers": 1, "rejected_offers": 0}


def test_a_contact_handled_on_another_day_is_not_today(app: Any, make_user: Any) -> None:
    """Yesterday's accepted and ended contact counts for nobody today."""
    aid = str(make_user("agent")["agent_id"])
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        chat = add_contact(session, "chat")
        yesterday = DAY[0] - timedelta(hours=2)
        log(
            session,
            chat,
            yesterday,
            ("accepted", 0.0, {"agent_id": aid}),
            ("completed", 60.0, {}),
        )
        session.commit()
    with runtime.db.session() as session:
        assert aid not in agents_today(session, *DAY)
