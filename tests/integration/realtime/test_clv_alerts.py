"""A CLV decline reaches a supervisor's real Socket.IO board once: the customer API's change
that makes the second quarterly fall raises the alert and sends it; later changes in the same
quarter raise and send nothing more."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from contactcentre.customers.value_history import current_quarter
from contactcentre.realtime.rooms import SUPERVISOR_NS, SUPERVISORS
from contactcentre.store.models import CustomerValueSnapshot
from tests.integration.customers.builders import add_customer
from tests.integration.realtime.live import Listener, browser, eventually


def test_the_second_fall_is_told_to_the_supervisors_once(
    app: Any, client: Any, live_app: Any, make_user: Any
) -> None:
    """4,000 two quarters ago, 3,600 last quarter; the API lowers it to 2,800, then 2,400."""
    runtime = app.extensions["contactcentre"]
    now = current_quarter().index
    with runtime.db.session() as session:
        customer = add_customer(
            session, runtime.settings, first_name="Ada", average_purchase_value=100,
            purchases_per_year=4, relationship_years=8,
        )  # fmt: skip
        for back, clv in ((2, "4000"), (1, "3600")):
            session.add(
                CustomerValueSnapshot(
                    customer_id=customer.id, quarter=now - back, clv=Decimal(clv), segment="gold"
                )
            )
        cid = customer.id
    boss = make_user("supervisor")
    board = Listener(reconnection=False)
    board.connect(
        live_app.url, browser(live_app.url, boss["email"], boss["password"]), SUPERVISOR_NS
    )
    for years in (7, 6):
        reply = client.patch(
            f"/api/v1/customers/{cid}", json={"relationship_years": years}, headers=boss["headers"]
        )
        assert reply.status_code == 200, reply.get_json()
    alert = eventually(lambda: board.of("clv_decline"))
    time.sleep(0.3)  # anything sent twice would have arrived by now
    assert len(board.of("clv_decline")) == 1 and alert[0]["room"] == SUPERVISORS
    data = alert[0]["data"]
    assert (data["customer_id"], data["clv_two_quarters_ago"], data["clv_last_quarter"]) == (
        cid, 4000.0, 3600.0)  # fmt: skip
    assert data["clv_now"] == 2800.0
    board.close()
