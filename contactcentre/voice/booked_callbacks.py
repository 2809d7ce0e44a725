"""Callback slots booked in the IVR: an RQ job scheduled at the slot's start (the worker runs
RQ's scheduler) submits the callback to routing, which dials the agent, then the customer."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from functools import cache

import redis
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

from contactcentre.customers.phones import classify_caller_id
from contactcentre.store.models import Interaction
from contactcentre.voice.callbacks import start_callback
from contactcentre.voice.context import VoiceContext

log = logging.getLogger(__name__)
QUEUE = "default"
JOB_PREFIX = "booked-callback_"


def job_id(interaction_id: str, slot_id: str) -> str:
    """RQ ids allow letters, digits, _ and - only (slot ids carry a +hhmm offset)."""
    return f"{JOB_PREFIX}{interaction_id}_{slot_id.replace('+', 'p')}"


def schedule_after_commit(
    session: Session, ctx: VoiceContext, interaction_id: str, slot_id: str, slot_start: datetime
) -> None:
    """Schedule the job once the booking's transaction commits (the job reads its rows)."""

    def enqueue(_: Session) -> None:
        try:
            queue = Queue(QUEUE, connection=redis.Redis.from_url(ctx.redis_url))
            queue.enqueue_at(
                slot_start,
                dial_booked_callback,
                interaction_id,
                slot_id,
                job_id=job_id(interaction_id, slot_id),  # booked twice: still one job
                result_ttl=86_400,
                failure_ttl=7 * 86_400,
            )
        except redis.RedisError:
            # The caller is still on the line; the booking is in the event log to recover from.
            log.exception("booked callback for %s at %s not scheduled", interaction_id, slot_id)
            return
        log.info("callback for %s booked at %s", interaction_id, slot_start.isoformat())

    event.listen(session, "after_commit", enqueue, once=True)


def dial_booked_callback(
    interaction_id: str, slot_id: str, *, context: VoiceContext | None = None
) -> str | None:
    """The RQ job: the callback interaction's id (the same one if the job runs again), or None
    when there is nobody to call (the original is gone or its number was erased)."""
    ctx = context or _worker_context()
    with ctx.db.session() as session:
        original = session.get(Interaction, interaction_id)
        raw = original.from_address if original is not None else None
        number = classify_caller_id(raw, ctx.settings.default_phone_region).e164
        if original is None or not number:
            log.info("booked callback for %s: no number to call; skipped", interaction_id)
            return None
        language = str(original.attributes.get("language") or "en")
    callback_id = str(uuid.uuid5(uuid.NAMESPACE_URL, job_id(interaction_id, slot_id)))
    return start_callback(
        ctx,
        interaction_id,
        number=number,
        language=language,
        callback_id=callback_id,
        details={"source": "booked", "slot_id": slot_id},
    )


@cache
def _worker_context() -> VoiceContext:
    """The worker's own wiring, built from the environment's settings once per process."""
    from contactcentre.platform.runtime import build_runtime
    from contactcentre.settings import Settings
    from contactcentre.voice.context import build_voice_context

    return build_voice_context(build_runtime(Settings()), with_flow=False)
