"""CLV history: each customer's CLV and segment per calendar quarter (UTC), and the alert
written once when it fell in each of the last two quarters.

`record_value` runs in the transaction that changed the value (records.py, importer.py), so a
value is never stored without its history row; `snapshot_quarter` gives every customer a row
for a quarter in which nothing changed (the quarter-end job). Both only insert what is missing
or update to the value now, so running either again after a kill -9 converges to the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contactcentre.store.models import Customer, CustomerValueAlert, CustomerValueSnapshot
from contactcentre.store.types import utcnow
from routing.customer_risk import Quarter, clv_fell_two_quarters, quarter_end_values


def current_quarter(today: date | None = None) -> Quarter:
    return Quarter.of(today or utcnow().date())


def parse_quarter(text: str) -> Quarter:
    """ "2026-Q4" (or "2026Q4") as a Quarter; anything else is a ValueError naming the form."""
    cleaned = text.strip().upper().replace("-", "")
    year, sep, number = cleaned.partition("Q")
    if not sep or not year.isdigit() or number not in {"1", "2", "3", "4"}:
        raise ValueError(f"expected a quarter such as 2026-Q4, got {text!r}")
    if not 1900 <= int(year) <= 9999:
        raise ValueError(f"year out of range in {text!r}")
    return Quarter(int(year), int(number))


def history(session: Session, customer_id: int) -> dict[int, Decimal]:
    """The customer's CLV by quarter index."""
    rows = session.execute(
        select(CustomerValueSnapshot.quarter, CustomerValueSnapshot.clv).where(
            CustomerValueSnapshot.customer_id == customer_id
        )
    ).all()
    return {quarter: Decimal(clv) for quarter, clv in rows}


def record_value(
    session: Session, customer: Customer, today: date | None = None
) -> CustomerValueAlert | None:
    """Make the customer's row for this quarter hold the CLV and segment now (inserted, or
    updated when they changed); returns the alert this change raised, if any."""
    quarter = current_quarter(today).index
    row = session.scalars(
        select(CustomerValueSnapshot).where(
            CustomerValueSnapshot.customer_id == customer.id,
            CustomerValueSnapshot.quarter == quarter,
        )
    ).first()
    clv = Decimal(customer.clv)
    if row is None:
        session.add(
            CustomerValueSnapshot(
                customer_id=customer.id, quarter=quarter, clv=clv, segment=customer.segment
            )
        )
    elif Decimal(row.clv) != clv or row.segment != customer.segment:
        row.clv, row.segment, row.recorded_at = clv, customer.segment, utcnow()
    else:
        return None
    session.flush()
    return _alert_if_declined(
        session, customer.id, customer.segment, history(session, customer.id), quarter
    )


def _alert_if_declined(
    session: Session, customer_id: int, segment: str, values: dict[int, Decimal], quarter: int
) -> CustomerValueAlert | None:
    series = quarter_end_values(values, quarter)
    if not clv_fell_two_quarters(series):
        return None
    already = session.scalar(
        select(CustomerValueAlert.id).where(
            CustomerValueAlert.customer_id == customer_id, CustomerValueAlert.quarter == quarter
        )
    )
    if already is not None:
        return None
    alert = CustomerValueAlert(
        customer_id=customer_id,
        quarter=quarter,
        clv_two_quarters_ago=series[0],
        clv_last_quarter=series[1],
        clv_now=series[2],
        segment=segment,
    )
    try:
        # A savepoint: a concurrent writer's alert for the same quarter wins; ours is dropped.
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        return None
    return alert


def record_new(session: Session, customers: list[Customer], today: date | None = None) -> None:
    """The first history rows of customers just created (flushed, so they have ids): one
    insert for a whole import; a new customer has no earlier quarter, so no alert."""
    if not customers:
        return
    quarter, now = current_quarter(today).index, utcnow()
    session.execute(
        insert(CustomerValueSnapshot),
        [
            {"customer_id": c.id, "quarter": quarter, "clv": c.clv, "segment": c.segment,
             "recorded_at": now}
            for c in customers
        ],
    )  # fmt: skip


def snapshot_quarter(session: Session, quarter: Quarter) -> tuple[int, int]:
    """Give every customer not erased a row for `quarter` if it has none, with its CLV and
    segment now, then raise the alerts those rows show. Returns (rows written, alerts raised).
    Idempotent: a second run finds every row written and every alert raised."""
    missing = select(Customer.id, Customer.clv, Customer.segment).where(
        Customer.erased_at.is_(None),
        ~exists().where(
            and_(
                CustomerValueSnapshot.customer_id == Customer.id,
                CustomerValueSnapshot.quarter == quarter.index,
            )
        ),
    )
    rows = session.execute(missing).all()
    if rows:
        now = utcnow()
        session.execute(
            insert(CustomerValueSnapshot),
            [
                {"customer_id": cid, "quarter": quarter.index, "clv": clv, "segment": segment,
                 "recorded_at": now}
                for cid, clv, segment in rows
            ],
        )  # fmt: skip
    return len(rows), _alerts_for_quarter(session, quarter.index)


def _alerts_for_quarter(session: Session, quarter: int) -> int:
    """Alerts for every customer whose last three quarter-ends (to `quarter`) strictly fall."""
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    segments: dict[int, str] = {}
    for cid, q, clv, segment in session.execute(
        select(
            CustomerValueSnapshot.customer_id,
            CustomerValueSnapshot.quarter,
            CustomerValueSnapshot.clv,
            CustomerValueSnapshot.segment,
        ).where(CustomerValueSnapshot.quarter <= quarter)
    ):
        values[cid][q] = Decimal(clv)
        if q == quarter:
            segments[cid] = segment
    raised = 0
    for cid, segment in segments.items():
        raised += _alert_if_declined(session, cid, segment, values[cid], quarter) is not None
    return raised
