"""Customer value over time on a real database: the quarterly CLV history written with each
change, the quarter-end snapshot (idempotent), the decline alert raised and sent once, the
value-history and alerts APIs, and bad input answered 422 naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from contactcentre.customers import CustomerPatch, update_customer
from contactcentre.customers.value import refresh_value
from contactcentre.customers.value_alerts import send_pending
from contactcentre.customers.value_history import current_quarter, record_value, snapshot_quarter
from contactcentre.realtime.emitter import emitter_for
from contactcentre.realtime.rooms import SUPERVISORS
from contactcentre.realtime.sequence import SequencedLog
from contactcentre.store.models import Customer, CustomerValueAlert, CustomerValueSnapshot
from contactcentre.webapi.common import INT32_MAX
from routing.customer_risk import Quarter
from tests.integration.customers.builders import add_customer

# Quarters after today's, so the row each new customer gets now is always the oldest.
Q2, Q3, Q4 = date(2030, 5, 1), date(2030, 8, 1), date(2030, 11, 1)


@pytest.fixture
def runtime(app: Any) -> Any:
    return app.extensions["contactcentre"]


def _history(runtime: Any, customer_id: int) -> list[tuple[str, Decimal, str]]:
    with runtime.db.session() as session:
        rows = session.scalars(
            select(CustomerValueSnapshot)
            .where(CustomerValueSnapshot.customer_id == customer_id)
            .order_by(CustomerValueSnapshot.quarter)
        ).all()
        return [(str(Quarter.from_index(r.quarter)), Decimal(r.clv), r.segment) for r in rows]


def _alerts(runtime: Any) -> int:
    with runtime.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(CustomerValueAlert)) or 0)


def _new(runtime: Any, **fields: Any) -> int:
    with runtime.db.session() as session:
        base = {"first_name": "Ada", "average_purchase_value": 100, "purchases_per_year": 4}
        return add_customer(session, runtime.settings, **{**base, **fields}).id


def _set_years(runtime: Any, customer_id: int, years: int, day: date) -> None:
    """Change the CLV (100 x 4 x years) as of `day`, the way update_customer records it."""
    with runtime.db.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.relationship_years = Decimal(years)
        refresh_value(customer, runtime.settings)
        session.flush()
        record_value(session, customer, today=day)


def test_history_is_written_with_each_change_in_the_same_transaction(runtime: Any) -> None:
    """Created at 3,200 (gold); changed to 300 (bronze): the quarter's row holds the latest; a
    change rolled back leaves the row as it was; a save without a value change writes nothing."""
    cid = _new(runtime, relationship_years=8)
    now = str(current_quarter())
    assert _history(runtime, cid) == [(now, Decimal("3200.00"), "gold")]
    with runtime.db.session() as session:
        customer = session.get(Customer, cid)
        update_customer(session, customer, CustomerPatch(relationship_years=Decimal("0.75")),
                        runtime.settings)  # fmt: skip
    assert _history(runtime, cid) == [(now, Decimal("300.00"), "bronze")]
    with pytest.raises(RuntimeError), runtime.db.session() as session:
        customer = session.get(Customer, cid)
        update_customer(session, customer, CustomerPatch(relationship_years=Decimal(20)),
                        runtime.settings)  # fmt: skip
        raise RuntimeError("the caller's transaction fails after the change")
    assert _history(runtime, cid) == [(now, Decimal("300.00"), "bronze")]
    with runtime.db.session() as session:
        before = session.scalars(select(CustomerValueSnapshot.recorded_at)).one()
        customer = session.get(Customer, cid)
        update_customer(session, customer, CustomerPatch(first_name="Ada L."), runtime.settings)
    with runtime.db.session() as session:
        assert session.scalars(select(CustomerValueSnapshot.recorded_at)).one() == before


def test_two_falling_quarters_raise_one_alert_sent_once(runtime: Any) -> None:
    """3,200 in Q2, 2,800 in Q3, 2,400 then 2,000 in Q4: one alert for Q4 (not two), sent
    once to the supervisors' room however often the sender runs."""
    cid = _new(runtime, relationship_years=8)
    _set_years(runtime, cid, 8, Q2)
    _set_years(runtime, cid, 7, Q3)
    assert _alerts(runtime) == 0
    _set_years(runtime, cid, 6, Q4)
    _set_years(runtime, cid, 5, Q4)
    assert _alerts(runtime) == 1
    with runtime.db.session() as session:
        alert = session.scalars(select(CustomerValueAlert)).one()
        assert (alert.customer_id, str(Quarter.from_index(alert.quarter))) == (cid, "2030-Q4")
        assert (alert.clv_two_quarters_ago, alert.clv_last_quarter, alert.clv_now) == (
            Decimal("3200.00"), Decimal("2800.00"), Decimal("2400.00"))  # fmt: skip
    emitter = emitter_for(runtime)
    assert send_pending(runtime.db, runtime.redis, emitter) == 1
    assert send_pending(runtime.db, runtime.redis, emitter) == 0
    events, _complete = SequencedLog(runtime.redis).since(SUPERVISORS, 0)
    sent = [e for e in events if e["event"] == "clv_decline"]
    assert len(sent) == 1 and sent[0]["data"]["customer_id"] == cid


def test_a_send_killed_before_the_sql_mark_is_not_sent_twice(runtime: Any) -> None:
    """The Redis marker went out with the event; the SQL row still says unsent (killed
    between): the next run marks it without a second event."""
    cid = _new(runtime, relationship_years=8)
    for years, day in ((8, Q2), (7, Q3), (6, Q4)):
        _set_years(runtime, cid, years, day)
    emitter = emitter_for(runtime)
    assert send_pending(runtime.db, runtime.redis, emitter) == 1
    with runtime.db.session() as session:
        session.scalars(select(CustomerValueAlert)).one().sent_at = None
    assert send_pending(runtime.db, runtime.redis, emitter) == 0
    events, _complete = SequencedLog(runtime.redis).since(SUPERVISORS, 0)
    assert [e["event"] for e in events].count("clv_decline") == 1
    with runtime.db.session() as session:
        assert session.scalars(select(CustomerValueAlert.sent_at)).one() is not None


def test_the_quarter_snapshot_fills_quiet_quarters_and_is_idempotent(runtime: Any) -> None:
    """Two customers without history, one erased: the snapshot writes the other's row alone; a
    second run writes nothing."""
    quiet = _new(runtime, relationship_years=8)
    erased = _new(runtime, relationship_years=1)
    with runtime.db.session() as session:
        session.execute(CustomerValueSnapshot.__table__.delete())
        session.get(Customer, erased).erased_at = session.get(Customer, quiet).created_at
    q4 = Quarter.of(Q4)
    with runtime.db.session() as session:
        assert snapshot_quarter(session, q4) == (1, 0)
    with runtime.db.session() as session:
        assert snapshot_quarter(session, q4) == (0, 0)
    assert _history(runtime, quiet) == [("2030-Q4", Decimal("3200.00"), "gold")]
    assert _history(runtime, erased) == []


def test_the_snapshot_raises_the_alert_its_row_shows_once(runtime: Any) -> None:
    """Q2 3,200 and Q3 2,800 on file, the CLV now 2,400 and never saved in Q4: the quarter-end
    row is the second fall, so the snapshot raises the alert; run again, no second alert."""
    cid = _new(runtime, relationship_years=8)
    _set_years(runtime, cid, 8, Q2)
    _set_years(runtime, cid, 7, Q3)
    with runtime.db.session() as session:
        customer = session.get(Customer, cid)
        customer.relationship_years = Decimal(6)
        refresh_value(customer, runtime.settings)  # changed without recording (e.g. by SQL)
    for _run in range(2):
        with runtime.db.session() as session:
            snapshot_quarter(session, Quarter.of(Q4))
    assert _alerts(runtime) == 1


def test_the_value_api_shows_history_and_the_computed_reasons(
    client: Any, runtime: Any, make_user: Any
) -> None:
    """A supervisor sees the quarters and why the rules put the customer at risk (3
    cancellations, threshold 2); an agent who never served the customer gets 403."""
    cid = _new(runtime, relationship_years=8, cancellations=3)
    _set_years(runtime, cid, 8, Q2)
    supervisor, agent = make_user("supervisor"), make_user("agent")
    reply = client.get(f"/api/v1/customers/{cid}/value", headers=supervisor["headers"])
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["at_risk"] is True and body["manual_at_risk"] is False
    assert [r["rule"] for r in body["reasons"]] == ["cancellations"]
    assert [(h["quarter"], h["clv"], h["segment"]) for h in body["history"]] == [
        (str(current_quarter()), 3200.0, "gold"), ("2030-Q2", 3200.0, "gold"),
    ]  # fmt: skip
    reply = client.get(f"/api/v1/customers/{cid}/value", headers=agent["headers"])
    assert reply.status_code == 403


@pytest.mark.parametrize(
    ("url", "field", "status"),
    [
        (f"/api/v1/customers/{INT32_MAX + 1}/value", "customer_id", 422),
        (f"/api/v1/customers/{INT32_MAX}/value", "customer_id", 404),
        (f"/api/v1/customer-value/alerts?customer_id={INT32_MAX + 1}", "customer_id", 422),
        ("/api/v1/customer-value/alerts?limit=0", "limit", 422),
        ("/api/v1/reports/customer-value?from=yesterday", "from", 422),
        ("/api/v1/reports/customer-value?from=2026-01-01&to=2025-01-01", "to", 422),
        ("/api/v1/reports/customer-value?tz=Mars/Olympus", "tz", 422),
    ],
)
def test_bad_input_names_the_field(
    client: Any, make_user: Any, url: str, field: str, status: int
) -> None:
    reply = client.get(url, headers=make_user("supervisor")["headers"])
    assert reply.status_code == status, reply.get_json()
    assert reply.get_json()["error"]["field"] == field


def test_the_alerts_api_is_for_supervisors(client: Any, runtime: Any, make_user: Any) -> None:
    cid = _new(runtime, relationship_years=8)
    for years, day in ((8, Q2), (7, Q3), (6, Q4)):
        _set_years(runtime, cid, years, day)
    reply = client.get("/api/v1/customer-value/alerts", headers=make_user("supervisor")["headers"])
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["total"] == 1
    assert body["items"][0]["customer_id"] == cid and body["items"][0]["quarter"] == "2030-Q4"
    reply = client.get("/api/v1/customer-value/alerts", headers=make_user("agent")["headers"])
    assert reply.status_code == 403


def test_an_import_starts_each_customers_history(runtime: Any) -> None:
    """Two rows imported: two history rows for this quarter, in the import's transaction."""
    from contactcentre.customers import import_csv

    data = (
        b"first_name,average_purchase_value,purchases_per_year,relationship_years\n"
        b"Ada,100,4,8\nBo,20,5,3\n"
    )
    with runtime.db.session() as session:
        report = import_csv(session, data, runtime.settings)
        assert report.imported == 2, report.errors
    with runtime.db.session() as session:
        rows = session.execute(
            select(CustomerValueSnapshot.clv, CustomerValueSnapshot.segment).order_by(
                CustomerValueSnapshot.clv
            )
        ).all()
    assert [(Decimal(c), s) for c, s in rows] == [
        (Decimal("300.00"), "bronze"), (Decimal("3200.00"), "gold"),
    ]  # fmt: skip
