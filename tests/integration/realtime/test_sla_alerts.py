"""SLA alerts reach a supervisor's real Socket.IO board once: the warning before the due time,
the breach at it, none again on later runs, and none twice after a watch killed between
sending and recording (the Redis marker), or before sending (sent by the next run)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from contactcentre.realtime.emitter import emitter_for
from contactcentre.realtime.rooms import SUPERVISOR_NS, SUPERVISORS
from contactcentre.reporting.sla_watch import watch
from contactcentre.store.models import Queue, SlaAlert
from tests.integration.realtime.live import Listener, browser, eventually
from tests.integration.reporting.builders import add_contact, log


def _floor(app: Any, client: Any, admin: Any) -> tuple[str, float]:
    """A voice policy of 20 s to answer (warning at 80%, 16 s); a call queued now."""
    reply = client.post(
        "/api/v1/sla/policies",
        json={"name": "voice", "channel": "voice", "answer_seconds": 20},
        headers=admin["headers"],
    )
    assert reply.status_code == 201, reply.get_json()
    queued = time.time()
    with app.extensions["contactcentre"].db.session() as session:
        queue = Queue(name="Billing")
        session.add(queue)
        session.flush()
        call = add_contact(session, "voice", queue.id)
        start = datetime.fromtimestamp(queued, UTC)
        log(session, call, start, ("queued", 0.0, {"queue_id": queue.id, "priority": 0}))
    return call, queued


def _board(live_app: Any, make_user: Any) -> Listener:
    boss = make_user("supervisor")
    board = Listener(reconnection=False)
    board.connect(
        live_app.url, browser(live_app.url, boss["email"], boss["password"]), SUPERVISOR_NS
    )
    return board


def test_a_supervisor_is_warned_then_told_of_the_breach_once_each(
    app: Any, client: Any, admin: Any, live_app: Any, make_user: Any
) -> None:
    """Watch runs at 10 s (nothing), 17 s (warning), 18 s (nothing new), 21 s (breach), 30 s
    (nothing new): the board gets one sla_warning then one sla_breach, in its room's order."""
    runtime = app.extensions["contactcentre"]
    call, queued = _floor(app, client, admin)
    board = _board(live_app, make_user)
    emitter = emitter_for(runtime)
    for offset in (10, 17, 18, 21, 30):
        watch(runtime.db, runtime.redis, emitter, now=queued + offset)
    breach = eventually(lambda: board.of("sla_breach"))
    time.sleep(0.3)  # anything sent twice would have arrived by now
    warnings = board.of("sla_warning")
    assert len(warnings) == 1 and len(board.of("sla_breach")) == 1
    assert warnings[0]["room"] == SUPERVISORS and warnings[0]["seq"] < breach[0]["seq"]
    data = breach[0]["data"]
    assert (data["interaction_id"], data["target"], data["level"]) == (call, "answer", "breach")
    board.close()


def test_a_watch_killed_around_the_send_sends_each_alert_once(
    app: Any, client: Any, admin: Any, live_app: Any, make_user: Any
) -> None:
    """Killed before sending (alerts written, no Redis): the next run sends them. Killed after
    sending but before recording it (sent_at lost): the next run records it, sends nothing."""
    runtime = app.extensions["contactcentre"]
    _call, queued = _floor(app, client, admin)
    board = _board(live_app, make_user)
    emitter = emitter_for(runtime)
    watch(runtime.db, now=queued + 17)  # written, never sent: as if killed before the send
    with runtime.db.session() as session:
        assert session.scalars(select(SlaAlert.sent_at)).all() == [None]
    watch(runtime.db, runtime.redis, emitter, now=queued + 18)
    eventually(lambda: board.of("sla_warning"))
    with runtime.db.session() as session:  # as if killed after the send, before the record
        session.execute(update(SlaAlert).values(sent_at=None))
    watch(runtime.db, runtime.redis, emitter, now=queued + 19)
    time.sleep(0.3)
    assert len(board.of("sla_warning")) == 1
    with runtime.db.session() as session:
        assert None not in session.scalars(select(SlaAlert.sent_at)).all()
    board.close()
