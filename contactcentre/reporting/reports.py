"""The supervisors' reports, each a table of rows computed by routing/metrics.py definitions
from the rolled-up tables: service level and volume (by interval, hour, day, queue or channel),
agent performance, the abandon profile, dispositions, value segments, and the contact export.

Ranges are [start, end) in the viewer's time zone; interval tables are 15 minutes in UTC, and
every zone's offset is a whole number of quarter hours, so a local day is whole intervals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from contactcentre.reporting.definitions import served_id
from contactcentre.reporting.sums import summed, summed_by
from contactcentre.store.models import Agent, Customer, Queue
from contactcentre.store.models.reporting import (
    ReportAgentInterval,
    ReportContact,
    ReportDispositionInterval,
    ReportQueueInterval,
)
from routing.metrics import (
    AbandonRate,
    AverageHandleTime,
    AverageSpeedOfAnswer,
    CustomerSatisfaction,
    FirstContactResolution,
    HandleTimePart,
    ServiceLevel,
    Tally,
    TransferRate,
)
from routing.tally import TALLY_FIELDS

ABANDON_BUCKETS = (5, 10, 20, 30, 60, 120)  # upper bounds in seconds; the last bucket is open


@dataclass(frozen=True)
class Period:
    """A report's range and the zone its days and hours are read in."""

    start: datetime
    end: datetime
    zone: ZoneInfo


@dataclass
class Report:
    """A report's columns, rows and the definition behind each computed column."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    definitions: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self, period: Period) -> dict[str, Any]:
        return {
            "report": self.name,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "tz": str(period.zone),
            "columns": self.columns,
            "rows": self.rows,
            "definitions": self.definitions,
        }


def _defs(named: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {k: {"label": d.label, "id": served_id(d)} for k, d in named.items()}


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def queue_figures(t: Tally, level: ServiceLevel, abandon: AbandonRate) -> dict[str, Any]:
    return {
        "offered": t.queued,
        "answered": t.answered,
        "abandoned": t.abandoned,
        "short_abandons": t.short_abandoned,
        "callbacks": t.callbacks,
        "service_level": _round(level.of_tally(t)),
        "asa_seconds": _round(AverageSpeedOfAnswer().of_tally(t), 1),
        "abandon_rate": _round(abandon.of_tally(t)),
        "aht_seconds": _round(AverageHandleTime().of_tally(t), 1),
    }


def _bucket(group: str, zone: ZoneInfo) -> Callable[[datetime], str]:
    def key(start: datetime) -> str:
        local: datetime = start.astimezone(zone)
        if group == "hour":
            local = local.replace(minute=0)
        elif group == "day":
            return local.date().isoformat()
        return local.isoformat(timespec="minutes")

    return key


def service_level(
    session: Session,
    period: Period,
    group: str,
    queue_id: int | None = None,
    channel: str | None = None,
) -> Report:
    """Offered, answered, abandoned, service level, ASA, abandon rate, AHT per group."""
    where = _within(ReportQueueInterval, period)
    if queue_id is not None:
        where.append(ReportQueueInterval.queue_id == queue_id)
    if channel is not None:
        where.append(ReportQueueInterval.channel == channel)
    queues = {q.id: q for q in session.scalars(select(Queue))}
    names = {qid: q.name for qid, q in queues.items()}
    # Summed by the database per queue, per channel or per 15-minute interval (a local hour or
    # day is whole intervals, put together here: a 30-day range is 2,880 of them).
    if group == "queue":
        column: Any = ReportQueueInterval.queue_id
        key: Callable[[Any], str] = lambda q: names.get(q, "(no queue)")  # noqa: E731
    elif group == "channel":
        column, key = ReportQueueInterval.channel, str
    else:
        column, key = ReportQueueInterval.interval_start, _bucket(group, period.zone)
    sums = summed_by(session, ReportQueueInterval, column, key, where)
    one = queues.get(queue_id) if queue_id is not None else None
    target = float(one.sla_target_seconds) if one else 20.0
    short = float(one.short_abandon_seconds) if one else 5.0
    level, abandon = ServiceLevel("genesys", target, short), AbandonRate(short)
    report = Report(
        "service-level",
        [group, "offered", "answered", "abandoned", "short_abandons", "callbacks",
         "service_level", "asa_seconds", "abandon_rate", "aht_seconds"],
    )  # fmt: skip
    for name in sorted(sums):
        report.rows.append({group: name, **queue_figures(sums[name], level, abandon)})
    report.definitions = _defs(
        {"service_level": level, "asa_seconds": AverageSpeedOfAnswer(), "abandon_rate": abandon,
         "aht_seconds": AverageHandleTime()}
    )  # fmt: skip
    if one is None:
        note = " (each queue's own answer target and short-abandon threshold)"
        report.definitions["service_level"]["label"] += note
        report.definitions["abandon_rate"]["label"] += note
    return report


def agents(session: Session, period: Period, channel: str | None = None) -> Report:
    """Per agent: handled, AHT and its parts, transfer rate, CSAT."""
    where = _within(ReportAgentInterval, period)
    if channel is not None:
        where.append(ReportAgentInterval.channel == channel)
    names = dict(session.execute(select(Agent.id, Agent.display_name)).tuples().all())
    sums = {
        agent_id: tally
        for (agent_id,), tally in summed(
            session, ReportAgentInterval, [ReportAgentInterval.agent_id], where
        )
    }
    parts = {p: HandleTimePart(p) for p in ("talk", "hold", "acw")}  # type: ignore[arg-type]
    named = {
        "aht_seconds": AverageHandleTime(),
        "talk_seconds": parts["talk"],
        "hold_seconds": parts["hold"],
        "acw_seconds": parts["acw"],
        "transfer_rate": TransferRate(),
        "csat": CustomerSatisfaction(),
    }
    report = Report("agents", ["agent", "handled", *named], definitions=_defs(named))
    for agent_id in sorted(sums, key=lambda a: names.get(a, str(a))):
        t = sums[agent_id]
        row: dict[str, Any] = {
            "agent": names.get(agent_id, f"agent {agent_id}"),
            "handled": t.handled,
        }
        for column, definition in named.items():
            places = 1 if column.endswith("seconds") else 4
            row[column] = _round(definition.of_tally(t), places)
        report.rows.append(row)
    return report


def _within(model: Any, period: Period) -> list[ColumnElement[bool]]:
    """The rows of `model` counted in the period (by their interval's start)."""
    return [model.interval_start >= period.start, model.interval_start < period.end]


def _contacts(session: Session, period: Period, channel: str | None) -> Iterable[ReportContact]:
    query = select(ReportContact).where(
        ReportContact.interval_start >= period.start, ReportContact.interval_start < period.end
    )
    if channel is not None:
        query = query.where(ReportContact.channel == channel)
    return session.scalars(
        query.order_by(ReportContact.interval_start, ReportContact.interaction_id)
    )


def abandon_profile(session: Session, period: Period, channel: str | None = None) -> Report:
    """How long callers waited before hanging up: a count and share per wait band."""
    bands = [f"{lo}-{hi} s" for lo, hi in zip((0, *ABANDON_BUCKETS), ABANDON_BUCKETS, strict=False)]
    bands.append(f"{ABANDON_BUCKETS[-1]}+ s")
    # Counted by the database, one sum per band: a wait of w ms is in the band [lo, hi) when
    # lo * 1000 <= w < hi * 1000 (whole milliseconds: no rounding at a band's edge).
    highs: tuple[int | None, ...] = (*ABANDON_BUCKETS, None)
    query = select(
        *(
            func.coalesce(func.sum(case((_band(lo, hi), 1), else_=0)), 0)
            for lo, hi in zip((0, *ABANDON_BUCKETS), highs, strict=True)
        )
    ).where(
        *_within(ReportContact, period),
        ReportContact.outcome == "abandoned",
        ReportContact.wait_ms.is_not(None),
    )
    if channel is not None:
        query = query.where(ReportContact.channel == channel)
    found: Any = session.execute(query).one()
    counts = {band: int(n) for band, n in zip(bands, found, strict=True)}
    total = sum(counts.values())
    report = Report("abandon-profile", ["wait", "abandoned", "share"])
    report.definitions = {
        "share": {
            "label": "abandoned in the band / all abandoned (none when no abandons)",
            "id": "share",
        }
    }
    for band in bands:
        report.rows.append(
            {
                "wait": band,
                "abandoned": counts[band],
                "share": _round(counts[band] / total) if total else None,
            }
        )
    return report


def _band(lo: int, hi: int | None) -> ColumnElement[bool]:
    wait = ReportContact.wait_ms
    return wait >= lo * 1000 if hi is None else (wait >= lo * 1000) & (wait < hi * 1000)


def dispositions(session: Session, period: Period, channel: str | None = None) -> Report:
    """Handled contacts per final disposition code, and FCR by disposition."""
    where = _within(ReportDispositionInterval, period)
    if channel is not None:
        where.append(ReportDispositionInterval.channel == channel)
    sums = {
        code: tally
        for (code,), tally in summed(
            session,
            ReportDispositionInterval,
            [ReportDispositionInterval.disposition],
            where,
        )
    }
    fcr = FirstContactResolution("disposition")
    report = Report(
        "dispositions", ["disposition", "handled", "fcr"], definitions=_defs({"fcr": fcr})
    )
    for code in sorted(sums):
        report.rows.append(
            {
                "disposition": code,
                "handled": sums[code].handled,
                "fcr": _round(fcr.of_tally(sums[code])),
            }
        )
    return report


def segments(session: Session, period: Period, channel: str | None = None) -> Report:
    """Waits and service per customer value segment: the check that value priority starves no
    one (the longest wait per segment beside its service level and ASA)."""
    # Summed by the database per segment; a contact of no customer (or of one erased since)
    # is "unknown".
    query = (
        select(
            Customer.segment,
            func.max(func.coalesce(ReportContact.wait_ms, 0)),
            *(func.coalesce(func.sum(getattr(ReportContact, f)), 0) for f in TALLY_FIELDS),
        )
        .outerjoin(Customer, Customer.id == ReportContact.customer_id)
        .where(*_within(ReportContact, period), ReportContact.queued_at.is_not(None))
    )
    if channel is not None:
        query = query.where(ReportContact.channel == channel)
    sums: dict[str, Tally] = defaultdict(Tally)
    longest: dict[str, int] = defaultdict(int)
    row: Any
    for row in session.execute(query.group_by(Customer.segment)):
        segment, wait, *values = row
        name = str(segment or "unknown")
        sums[name] = sums[name] + Tally(
            **{f: int(v) for f, v in zip(TALLY_FIELDS, values, strict=True)}
        )
        longest[name] = max(longest[name], int(wait))
    level, abandon = ServiceLevel("genesys", 20.0, 5.0), AbandonRate(5.0)
    report = Report(
        "segments",
        ["segment", "offered", "answered", "abandoned", "short_abandons", "callbacks",
         "service_level", "asa_seconds", "abandon_rate", "aht_seconds", "longest_wait_seconds"],
    )  # fmt: skip
    for name in sorted(sums):
        row = {"segment": name, **queue_figures(sums[name], level, abandon)}
        row["longest_wait_seconds"] = round(longest[name] / 1000, 1)
        report.rows.append(row)
    report.definitions = _defs(
        {
            "service_level": level,
            "asa_seconds": AverageSpeedOfAnswer(),
            "abandon_rate": abandon,
            "aht_seconds": AverageHandleTime(),
        }
    )
    report.definitions["service_level"]["label"] += (
        " (each queue's own answer target); segment: the customer's segment now"
    )
    return report


EXPORT_COLUMNS = [
    "interaction_id", "counted_in", "channel", "queue_id", "agent_id", "customer_id", "outcome",
    "arrived_at", "queued_at", "left_at", "ended_at", "wait_seconds", "talk_seconds",
    "hold_seconds", "acw_seconds", "transferred", "disposition", "csat", "ces", "callback_for",
    "campaign_id",
]  # fmt: skip


def export(
    session: Session, period: Period, channel: str | None = None, limit: int = 100_000
) -> Report:
    """One row per interaction counted in the range, times in the viewer's zone."""
    report = Report("interactions", list(EXPORT_COLUMNS))

    def local(moment: datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(period.zone).isoformat()

    for c in _contacts(session, period, channel):
        if len(report.rows) >= limit:
            break
        report.rows.append({
            "interaction_id": c.interaction_id, "counted_in": local(c.interval_start),
            "channel": c.channel, "queue_id": c.queue_id, "agent_id": c.agent_id,
            "customer_id": c.customer_id, "outcome": c.outcome, "arrived_at": local(c.arrived_at),
            "queued_at": local(c.queued_at), "left_at": local(c.left_at),
            "ended_at": local(c.ended_at),
            "wait_seconds": None if c.wait_ms is None else c.wait_ms / 1000,
            "talk_seconds": c.talk_ms / 1000, "hold_seconds": c.hold_ms / 1000,
            "acw_seconds": c.acw_ms / 1000, "transferred": bool(c.transferred),
            "disposition": c.disposition, "csat": c.csat, "ces": c.ces,
            "callback_for": c.callback_for, "campaign_id": c.campaign_id,
        })  # fmt: skip
    return report
