"""The event-log sink: which interaction event each routing decision becomes."""

from __future__ import annotations

import time
import uuid

import pytest

from contactcentre.interactions import event_log
from contactcentre.router.sinks import EventLogSink
from contactcentre.store.db import Database
from contactcentre.store.models import Interaction
from routing import effects as fx
from routing.outbox import Delivery


@pytest.mark.parametrize(
    ("reason", "logged"),
    [
        ("expired", "offer_expired"),
        ("rejected", "rejected"),
        ("canceled", "offer_withdrawn"),
        ("exited", "offer_withdrawn"),
        ("agent_offline", "offer_withdrawn"),
    ],
)
def test_only_an_offer_that_rang_out_is_logged_as_missed(
    database: Database, reason: str, logged: str
) -> None:
    """A caller hanging up while the offer rings takes it back: not the agent's missed offer."""
    iid = str(uuid.uuid4())
    with database.session() as session:
        session.add(Interaction(id=iid, channel="voice"))
    effect = fx.OfferRescinded(reservation_id="r1", task_id=iid, agent_id="7", reason=reason)
    delivery = Delivery(id="1-0:0", at=time.time(), effect=effect, trace=[])
    EventLogSink(database).deliver("1-0", [delivery])
    with database.session() as session:
        types = [e.type for e in event_log.for_interaction(session, iid)]
    assert types == [logged]
