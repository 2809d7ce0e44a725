"""Demand history from report_queue_intervals: contacts queued, contacts handled and their
handle time per 15-minute interval, and the callers' patience as the log shows it.

The interval tables keep no empty rows, so the history says which span it covers: from the
first interval ever rolled up to the last one the roll-up has finished.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from contactcentre.store.models import ReportQueueInterval
from contactcentre.store.models.reporting import INTERVAL_SECONDS, ReportWatermark
from routing.planning.forecast import History, IntervalActual

# The incremental roll-up's watermark (contactcentre/reporting/rollup.py names it so).
ROLLUP_WATERMARK = "intervals"


def _floor(at: datetime) -> datetime:
    seconds = int(at.timestamp()) // INTERVAL_SECONDS * INTERVAL_SECONDS
    return datetime.fromtimestamp(seconds, UTC)


def covered_until(session: Session, now: datetime) -> datetime:
    """The end of the last whole interval the roll-up has counted (it runs behind the log)."""
    mark = session.get(ReportWatermark, ROLLUP_WATERMARK)
    rolled = mark.rolled_at if mark is not None and mark.rolled_at is not None else now
    return _floor(min(rolled, now))


def _of(queue_id: int | None, channel: str | None) -> list[ColumnElement[bool]]:
    """The rows of one queue and channel (None: any)."""
    conditions: list[ColumnElement[bool]] = []
    if queue_id is not None:
        conditions.append(ReportQueueInterval.queue_id == queue_id)
    if channel is not None:
        conditions.append(ReportQueueInterval.channel == channel)
    return conditions


def load_history(
    session: Session,
    *,
    until: datetime,
    lookback: timedelta,
    now: datetime,
    queue_id: int | None = None,
    channel: str | None = None,
) -> History:
    """The history a forecast made at `until` may use: `lookback` before it, cut to what the
    interval tables cover (nothing before their first row, nothing the roll-up has not done)."""
    end = min(_floor(until), covered_until(session, now))
    first = session.scalar(select(func.min(ReportQueueInterval.interval_start)))
    start = end - lookback
    if first is None:
        return History(end, end, {})
    start = max(start, _floor(first))
    end = max(end, start)
    query = select(ReportQueueInterval).where(
        ReportQueueInterval.interval_start >= start,
        ReportQueueInterval.interval_start < end,
        *_of(queue_id, channel),
    )
    actuals = [
        IntervalActual(
            row.interval_start,
            row.queued,
            row.handled,
            (row.talk_ms + row.hold_ms + row.acw_ms) / 1000.0,
        )
        for row in session.scalars(query)
    ]
    return History.of(start, end, actuals)


def observed_patience(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    queue_id: int | None = None,
    channel: str | None = None,
) -> float | None:
    """Mean patience (seconds) under exponential patience: all the time callers spent waiting
    (answered ones' waits are patience cut short) over the number who hung up, the maximum
    likelihood estimate for censored exponential times. None when nobody hung up."""
    query = select(
        func.sum(ReportQueueInterval.answer_wait_ms),
        func.sum(ReportQueueInterval.abandon_wait_ms),
        func.sum(ReportQueueInterval.abandoned),
    ).where(
        ReportQueueInterval.interval_start >= start,
        ReportQueueInterval.interval_start < end,
        *_of(queue_id, channel),
    )
    sums: tuple[Any, ...] = tuple(session.execute(query).one())
    answered_ms, abandoned_ms, abandoned = (int(value or 0) for value in sums)
    if not abandoned:
        return None
    return (answered_ms + abandoned_ms) / 1000.0 / abandoned


def average_handle_time(history: History) -> float | None:
    """The whole history's AHT, for intervals whose own past had no handled contact."""
    handled = sum(a.handled for a in history.actuals.values())
    seconds = sum(a.handle_seconds for a in history.actuals.values())
    return seconds / handled if handled else None
