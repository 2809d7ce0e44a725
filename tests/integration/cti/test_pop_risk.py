"""The pop's retention offer follows the computed at-risk rules and says why: complaints
(interactions whose final disposition is a complaint code) and cancellations, with no flag
set by hand; below the thresholds there is no offer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from contactcentre.cti.pop import build_pop
from contactcentre.customers.risk import policy_from
from contactcentre.store.models import Disposition, Interaction
from tests.integration.customers.builders import add_customer


def _customer(runtime: Any, **fields: Any) -> int:
    with runtime.db.session() as session:
        return add_customer(
            session, runtime.settings, first_name="Grace", retention_offer="a free month",
            **fields,
        ).id  # fmt: skip


def _handled(runtime: Any, customer_id: int, code: str, days_ago: int) -> None:
    with runtime.db.session() as session:
        disposition = session.query(Disposition).filter_by(code=code).first()
        if disposition is None:
            disposition = Disposition(code=code, label=code.title())
            session.add(disposition)
            session.flush()
        session.add(
            Interaction(
                id=str(uuid.uuid4()), channel="voice", status="completed",
                customer_id=customer_id, disposition_id=disposition.id,
                created_at=datetime.now(UTC) - timedelta(days=days_ago),
            )
        )  # fmt: skip


def _pop(runtime: Any, customer_id: int) -> dict[str, Any]:
    with runtime.db.session() as session:
        current = Interaction(id=str(uuid.uuid4()), channel="voice", customer_id=customer_id)
        session.add(current)
        session.flush()
        return build_pop(session, current, "US", risk=policy_from(runtime.settings))


def test_two_complaints_in_the_window_show_the_offer_and_the_reason(app: Any) -> None:
    """Complaints 10 and 20 days ago (threshold 2 in 90 days), one 200 days ago and one
    resolved contact not counted: at risk for complaints alone."""
    runtime = app.extensions["contactcentre"]
    cid = _customer(runtime)
    for days in (10, 20, 200):
        _handled(runtime, cid, "complaint", days)
    _handled(runtime, cid, "resolved", 5)
    pop = _pop(runtime, cid)
    assert pop["customer"]["at_risk"] is True
    assert pop["retention"] == {
        "offer": "a free month",
        "reasons": [
            {"rule": "complaints", "text": "2 complaints in the last 90 days (at risk from 2)"}
        ],
    }


def test_cancellations_at_the_threshold_put_the_customer_at_risk(app: Any) -> None:
    runtime = app.extensions["contactcentre"]
    pop = _pop(runtime, _customer(runtime, cancellations=2))
    assert [r["rule"] for r in pop["retention"]["reasons"]] == ["cancellations"]


def test_below_every_threshold_there_is_no_offer(app: Any) -> None:
    """One cancellation and one complaint: not at risk, no retention offer in the pop."""
    runtime = app.extensions["contactcentre"]
    cid = _customer(runtime, cancellations=1)
    _handled(runtime, cid, "complaint", 3)
    pop = _pop(runtime, cid)
    assert pop["customer"]["at_risk"] is False and pop["retention"] is None
