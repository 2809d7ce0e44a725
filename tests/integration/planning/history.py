"""Interval rows for planning tests: a queue's Mondays at 09:00 over past weeks, written straight
into report_queue_intervals (the roll-up that normally writes them is tested in reporting/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from contactcentre.store.models import Queue, ReportQueueInterval
from contactcentre.store.models.reporting import ReportWatermark
from tests.demand_history import seasonal_history


def last_monday() -> datetime:
    """Midnight UTC of the Monday a week before this week's: always in the past."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=today.weekday() + 7)


def mondays_at_nine(
    session: Session, covered_until: datetime, contacts: list[int], aht_seconds: float, **tally: Any
) -> Queue:
    """A Billing queue (30 s target) with `contacts` queued and handled at 09:00 on the Mondays
    before `covered_until` (oldest first), and the roll-up's watermark at `covered_until`."""
    queue = Queue(name="Billing", sla_target_seconds=30)
    session.add(queue)
    session.flush()
    weeks = len(contacts)
    for index, count in enumerate(contacts):
        at = covered_until - timedelta(weeks=weeks - index) + timedelta(hours=9)
        extra = tally if index == 0 else {}
        session.add(
            ReportQueueInterval(
                interval_start=at, queue_id=queue.id, channel="voice", queued=count,
                handled=count, talk_ms=int(count * aht_seconds * 1000), **extra,
            )
        )  # fmt: skip
    rolled_until(session, covered_until)
    session.commit()
    return queue


def rolled_until(session: Session, until: datetime) -> None:
    """The roll-up's watermark says it has counted everything before `until`."""
    mark = session.get(ReportWatermark, "intervals")
    if mark is None:
        mark = ReportWatermark(name="intervals", last_event_id=0, gaps={})
        session.add(mark)
    mark.rolled_at = until


def seasonal_weeks(session: Session, queue_id: int, until: datetime, weeks: int) -> None:
    """`weeks` of generated seasonal demand (tests/demand_history.py) for a queue, ending at
    `until` (a Monday 00:00 UTC), 30% of it abandoned after 40 s on average."""
    for actual in seasonal_history(weeks, start=until - timedelta(weeks=weeks)):
        abandoned = actual.contacts * 3 // 10
        session.add(
            ReportQueueInterval(
                interval_start=actual.start, queue_id=queue_id, channel="voice",
                queued=actual.contacts, handled=actual.handled,
                talk_ms=int(actual.handle_seconds * 1000), abandoned=abandoned,
                abandon_wait_ms=abandoned * 40_000,
            )
        )  # fmt: skip
    rolled_until(session, until)
    session.commit()
