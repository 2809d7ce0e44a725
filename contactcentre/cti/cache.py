"""Screen pops cached in Redis per interaction, so an offer, a re-offer or a reload costs no SQL.

Built when the task is submitted (after its commit) and rebuilt when the customer changes;
entries expire after an hour. The notifier only reads them.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import redis
from flask import current_app, has_app_context
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from contactcentre.cti.pop import build_pop, place_in_queue
from contactcentre.customers.risk import RiskPolicy, policy_from
from contactcentre.store.db import Database
from contactcentre.store.models import Interaction, Queue

log = logging.getLogger(__name__)
POP = "cc:cti:pop:"
POP_TTL_SECONDS = 3600
QUEUE_NAMES_TTL_SECONDS = 30.0
LIVE_STATUSES = ("created", "queued", "offered", "assigned", "wrap_up")


class PopProvider:
    """Pops by interaction id: the cache, else built from SQL and cached."""

    def __init__(
        self,
        database: Database,
        client: redis.Redis,
        default_region: str,
        risk: RiskPolicy | None = None,
    ) -> None:
        self._db = database
        self._redis = client
        self._region = default_region
        self._risk = risk
        self._queue_names: dict[int, str] = {}
        self._queue_names_at = 0.0

    def for_offers(self, offers: list[tuple[str, Any]]) -> list[dict[str, Any] | None]:
        """Pops of (interaction id, queue id) offers: one MGET; SQL only for a pop not cached.

        Never raises: an offer goes out without its pop rather than never.
        """
        try:
            raws: Any = self._redis.mget([POP + iid for iid, _queue in offers])
        except redis.RedisError:
            log.exception("screen pops could not be read; offering without them")
            return [None] * len(offers)
        pops: list[dict[str, Any] | None] = []
        for (interaction_id, queue_id), raw in zip(offers, raws, strict=True):
            if raw is None:
                pops.append(self.for_offer(interaction_id, queue_id))
                continue
            pop: dict[str, Any] = json.loads(raw)
            pops.append(self._in_queue(pop, queue_id))
        return pops

    def _in_queue(self, pop: dict[str, Any], queue_id: Any) -> dict[str, Any]:
        """The pop as offered from `queue_id` (a call's queue is chosen after it was built)."""
        if queue_id is None or not str(queue_id).isdigit():
            return pop
        if (pop.get("queue") or {}).get("id") == int(queue_id):
            return pop
        try:
            name = self._queue_name(int(queue_id))
        except Exception:
            log.exception("queue %s could not be named for a pop", queue_id)
            return pop
        return place_in_queue(pop, int(queue_id), name)

    def _queue_name(self, queue_id: int) -> str | None:
        now = time.monotonic()
        if (
            queue_id not in self._queue_names
            or now - self._queue_names_at > QUEUE_NAMES_TTL_SECONDS
        ):
            with self._db.session() as session:
                rows = session.execute(select(Queue.id, Queue.name)).all()
            self._queue_names = {qid: name for qid, name in rows}
            self._queue_names_at = now
        return self._queue_names.get(queue_id)

    def get(self, interaction_id: str, queue_id: Any = None) -> dict[str, Any] | None:
        raw: Any = self._redis.get(POP + interaction_id)
        if raw is not None:
            return dict(json.loads(raw))
        with self._db.session() as session:
            interaction = session.get(Interaction, interaction_id)
            if interaction is None:
                return None
            pop = build_pop(session, interaction, self._region, queue_id, self._risk)
        self.put(pop)
        return pop

    def for_offer(self, interaction_id: str, queue_id: Any = None) -> dict[str, Any] | None:
        """Like get(), but never raises: an offer goes out without its pop rather than never."""
        try:
            return self.get(interaction_id, queue_id)
        except Exception:
            log.exception(
                "screen pop of %s could not be built; offering without it", interaction_id
            )
            return None

    def put(self, pop: dict[str, Any]) -> None:
        self._redis.set(
            POP + pop["interaction_id"], json.dumps(pop, default=str), ex=POP_TTL_SECONDS
        )

    def forget(self, interaction_id: str) -> None:
        self._redis.delete(POP + interaction_id)


def cache_pops(
    bind: Engine | Connection,
    client: redis.Redis,
    interaction_ids: list[str],
    region: str,
    risk: RiskPolicy | None = None,
) -> None:
    """Build and cache the pops of interactions just committed (before their tasks are sent)."""
    if not interaction_ids:
        return
    with Session(bind) as session:
        interactions = session.scalars(
            select(Interaction).where(Interaction.id.in_(interaction_ids))
        ).all()
        pops = [build_pop(session, i, region, risk=risk) for i in interactions]
    _put_many(client, pops)


def refresh_customer_pops(
    session: Session,
    client: redis.Redis,
    customer_id: int,
    region: str,
    risk: RiskPolicy | None = None,
) -> None:
    """Rebuild the cached pops of a customer's live contacts after their record changed."""
    interactions = session.scalars(
        select(Interaction).where(
            Interaction.customer_id == customer_id, Interaction.status.in_(LIVE_STATUSES)
        )
    ).all()
    _put_many(client, [build_pop(session, i, region, risk=risk) for i in interactions])


def _put_many(client: redis.Redis, pops: list[dict[str, Any]]) -> None:
    if not pops:
        return
    pipe = client.pipeline(transaction=False)
    for pop in pops:
        pipe.set(POP + pop["interaction_id"], json.dumps(pop, default=str), ex=POP_TTL_SECONDS)
    pipe.execute()


def prebuild_pops(session: Session, client: redis.Redis, task_ids: list[str]) -> None:
    """The routing client's after-submission hook: build the pops before the offer needs them.

    A failure only costs speed: the notifier builds a missing pop itself."""
    try:
        cache_pops(session.get_bind(), client, task_ids, _phone_region(), _risk_policy())
    except Exception:
        log.exception("screen pops of %s could not be built at submission", task_ids)


def _risk_policy() -> RiskPolicy | None:
    """The at-risk rules of the app's settings; outside an app, the defaults (None)."""
    if has_app_context():
        return policy_from(current_app.extensions["contactcentre"].settings)
    return None


def _phone_region() -> str:
    """The default phone region of this process's settings (the app's, else the environment)."""
    if has_app_context():
        region: str = current_app.extensions["contactcentre"].settings.default_phone_region
        return region
    return os.environ.get("CC_DEFAULT_PHONE_REGION", "US")
