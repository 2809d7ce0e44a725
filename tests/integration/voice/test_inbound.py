"""An inbound call's first webhook: one interaction per CallSid, however many times and however
concurrently Twilio (or a proxy retrying past the reply cache) delivers it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from contactcentre.store.models import Interaction, InteractionEvent
from contactcentre.voice.inbound import answer_call
from tests.integration.voice.calls import CUSTOMER, NUMBER


def _params(call_sid: str) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": "AC" + "1" * 32,
        "From": CUSTOMER,
        "To": NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }


def _count(app: Any, model: Any, *where: Any) -> int:
    with app.extensions["contactcentre"].db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_two_first_webhooks_at_once_open_one_interaction(voice_app: Any) -> None:
    """Two deliveries of one call's first webhook racing: one interaction, one `created`
    event, and both answer with the IVR's same first step."""
    ctx = voice_app.extensions["voice"]
    call_sid = "CA" + "b" * 32
    start = threading.Barrier(2)

    def deliver() -> str:
        start.wait(10)
        return answer_call(ctx, _params(call_sid))

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = (f.result(timeout=60) for f in [pool.submit(deliver) for _ in range(2)])
    assert first == second
    assert "<Gather" in first
    assert _count(voice_app, Interaction, Interaction.external_id == call_sid) == 1
    with voice_app.extensions["contactcentre"].db.session() as session:
        interaction_id = session.scalar(
            select(Interaction.id).where(Interaction.external_id == call_sid)
        )
    of_call = InteractionEvent.interaction_id == interaction_id
    assert _count(voice_app, InteractionEvent, of_call, InteractionEvent.type == "created") == 1
