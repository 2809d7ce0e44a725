"""Interval rows for planning tests: a queue's Mondays at 09:00 over past weeks, written straight
into report_queue_intervals (the roll-up that normally writes them is tested in reporting/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from contactcentre.store.models import Queue, ReportQueueInterval
from contactcentre.store.models.reporting import ReportWatermark


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
    session.add(
        ReportWatermark(name="intervals", last_event_id=0, gaps={}, rolled_at=covered_until)
    )
    session.commit()
    return queue
