"""The SLA-breaches report: SLA policy clocks met, breached, running and closed, by queue,
channel, priority, day or hour and target, each row naming the definition of its compliance.

A clock is counted in the period it falls due in (its due time), whether it was met, breached or
is still running; so a day's row says how the promises due that day went.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.reporting.definitions import served_id
from contactcentre.reporting.reports import Period, Report
from contactcentre.store.models import Queue, SlaClockRow
from routing.metrics import SLA_TARGETS, SlaBreaches, SlaCompliance

GROUPS = ("queue", "channel", "priority", "day", "hour")
COLUMNS = ["target", "clocks", "met", "breached", "running", "closed", "compliance", "definition"]


def _key(group: str, period: Period, names: dict[int, str]) -> Callable[[SlaClockRow], str]:
    def key(row: SlaClockRow) -> str:
        if group == "queue":
            if row.queue_id is None:
                return "(no queue)"
            return names.get(row.queue_id, f"queue {row.queue_id}")
        if group == "channel":
            return row.channel
        if group == "priority":
            return "(any)" if row.priority is None else str(row.priority)
        local = row.due_at.astimezone(period.zone)
        if group == "day":
            return local.date().isoformat()
        return local.replace(minute=0, second=0, microsecond=0).isoformat(timespec="minutes")

    return key


def sla_breaches(
    session: Session,
    period: Period,
    group: str = "queue",
    *,
    channel: str | None = None,
    queue_id: int | None = None,
    target: str | None = None,
) -> Report:
    """Per group and target: clocks due in the range, met, breached, running, closed and the
    compliance (met / met + breached; no number when none was judged)."""
    query = select(SlaClockRow).where(
        SlaClockRow.due_at >= period.start, SlaClockRow.due_at < period.end
    )
    if channel is not None:
        query = query.where(SlaClockRow.channel == channel)
    if queue_id is not None:
        query = query.where(SlaClockRow.queue_id == queue_id)
    if target is not None:
        query = query.where(SlaClockRow.target == target)
    names = {q.id: q.name for q in session.scalars(select(Queue))}
    key = _key(group, period, names)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(("met", "breached", "running", "closed"), 0)
    )
    for row in session.scalars(query):
        counts[(key(row), row.target)][row.status] += 1
    report = Report("sla-breaches", [group, *COLUMNS])
    order: dict[str, int] = {t: i for i, t in enumerate(SLA_TARGETS)}
    for name, target_name in sorted(counts, key=lambda k: (k[0], order.get(k[1], 9))):
        found = counts[(name, target_name)]
        compliance = SlaCompliance(target_name)  # type: ignore[arg-type]
        ratio = compliance.of_counts(found["met"], found["breached"])
        report.rows.append({
            group: name, "target": target_name, "clocks": sum(found.values()), **found,
            "compliance": None if ratio is None else round(ratio, 4),
            "definition": served_id(compliance),
        })  # fmt: skip
    report.definitions = {
        "compliance": {
            "label": "SLA compliance: met by the due time / (met + breached), of the row's"
            " target; running and closed clocks excluded; business hours of the policy's"
            " calendar",
            "id": "sla_compliance.<target> v1 (the row's definition column)",
        },
        "breached": {
            "label": SlaBreaches().label.replace("(answer)", "(the row's target)"),
            "id": "sla_breaches.<target> v1",
        },
    }
    return report
