"""Reading the event log for reports: the period, the types asked for, in order, with channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contactcentre.reporting import ledger
from tests.integration.reporting.builders import add_contact, log

START = datetime(2026, 5, 4, tzinfo=UTC)


def test_read_gives_the_periods_events_of_the_types_asked_in_order(app: Any) -> None:
    """[start, end) only, only the types asked, oldest first, each with its channel and data."""
    runtime = app.extensions["contactcentre"]
    with runtime.db.session() as session:
        chat = add_contact(session, "chat")
        log(
            session,
            chat,
            START,
            ("queued", -1.0, {"queue_id": 1}),  # the day before
            ("accepted", 30.0, {"agent_id": "7"}),
            ("message_in", 31.0, {}),
            ("queued", 10.0, {"queue_id": 2}),
            ("completed", 86_400.0, {}),  # at the end: the next day's
        )
        session.commit()
    with runtime.db.session() as session:
        events = ledger.read(
            session, START, START + timedelta(days=1), ("queued", "accepted", "completed")
        )
    assert [(e.type, e.at - START.timestamp(), e.channel) for e in events] == [
        ("queued", 10.0, "chat"),
        ("accepted", 30.0, "chat"),
    ]
    assert events[0].data == {"queue_id": 2}
