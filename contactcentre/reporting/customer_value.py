"""The customer-value report: per value segment, the customers on file, customer equity (the
sum of their CLV), average CLV, and churn and retention over the range, each column computed
by its routing/metrics.py definition.

A customer's CLV and segment at an instant are their latest value-history row up to that
instant's quarter (UTC), else the record's own (a customer with no history yet). Churned: on
file at the start and erased within the range (erasure keeps CLV and segment, privacy.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.reporting.reports import Period, Report, _defs, _round
from contactcentre.store.models import Customer, CustomerValueSnapshot
from routing.customer_risk import Quarter
from routing.metrics import AverageCustomerValue, ChurnRate, CustomerEquity, RetentionRate

COLUMNS = [
    "segment", "customers", "customer_equity", "average_clv", "customers_at_start", "churned",
    "churn_rate", "retention_rate",
]  # fmt: skip


def _on_file(created: datetime, erased: datetime | None, moment: datetime) -> bool:
    return created < moment and (erased is None or erased >= moment)


def customer_value(session: Session, period: Period) -> Report:
    """One row per segment (a segment with no customer in the range has no row)."""
    last_quarter = Quarter.of((period.end - timedelta(microseconds=1)).astimezone(UTC).date())
    latest: dict[int, tuple[Decimal, str]] = {}
    # Ascending by quarter: the last row kept per customer is its latest up to the range's end.
    for cid, clv, segment in session.execute(
        select(
            CustomerValueSnapshot.customer_id,
            CustomerValueSnapshot.clv,
            CustomerValueSnapshot.segment,
        )
        .where(CustomerValueSnapshot.quarter <= last_quarter.index)
        .order_by(CustomerValueSnapshot.customer_id, CustomerValueSnapshot.quarter)
    ):
        latest[cid] = (Decimal(clv), segment)
    values: dict[str, list[Decimal]] = defaultdict(list)
    at_start: dict[str, int] = defaultdict(int)
    churned: dict[str, int] = defaultdict(int)
    for cid, created, erased, clv, segment in session.execute(
        select(
            Customer.id, Customer.created_at, Customer.erased_at, Customer.clv, Customer.segment
        ).where(Customer.created_at < period.end)
    ):
        value, name = latest.get(cid, (Decimal(clv), str(segment)))
        if _on_file(created, erased, period.end):
            values[name].append(value)
        if _on_file(created, erased, period.start):
            at_start[name] += 1
            if erased is not None and erased < period.end:
                churned[name] += 1
    equity, average = CustomerEquity(), AverageCustomerValue()
    churn, retention = ChurnRate(), RetentionRate()
    report = Report(
        "customer-value",
        list(COLUMNS),
        definitions=_defs(
            {
                "customer_equity": equity,
                "average_clv": average,
                "churn_rate": churn,
                "retention_rate": retention,
            }
        ),
    )
    for name in sorted(set(values) | set(at_start)):
        mean = average.compute(values[name])
        report.rows.append(
            {
                "segment": name,
                "customers": len(values[name]),
                "customer_equity": float(equity.compute(values[name])),
                "average_clv": None if mean is None else round(float(mean), 2),
                "customers_at_start": at_start[name],
                "churned": churned[name],
                "churn_rate": _round(churn.of_counts(at_start[name], churned[name])),
                "retention_rate": _round(retention.of_counts(at_start[name], churned[name])),
            }
        )
    return report
