"""The hopper: a campaign's dialable leads buffered in Redis ahead of the pacer, in dial order.

A sorted set per campaign, lead ids scored so the lowest comes first: higher list priority,
then higher lead score (expected value), then lower id. ZADD NX keeps a lead in it once; a
refill (an RQ job, one at a time per campaign under a lock) first drops members that stopped
being dialable (DNC, window closed, ...), then tops it up to the campaign's hopper_size.

Redis holds nothing SQL cannot rebuild: after a Redis loss or a kill -9 mid-refill the next
refill re-checks every member and adds what is missing, so it converges to the same hopper.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import redis
from rq import Queue, get_current_job
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactcentre.dialer.dispositions import campaign_dispositions
from contactcentre.dialer.dnc import preloaded
from contactcentre.dialer.leads import as_lead, attempts_for_numbers
from contactcentre.dialer.policy import compliance_policy
from contactcentre.realtime.rooms import KEY_PREFIX
from contactcentre.store.db import Database
from contactcentre.store.models import Campaign, Lead, LeadList
from routing.dialer.eligibility import why_not_dialable
from routing.dialer.policy import CompliancePolicy

log = logging.getLogger(__name__)

KEY = KEY_PREFIX + "dialer:hopper:"  # + campaign id -> zset {lead id: order}
LOCK = KEY_PREFIX + "dialer:hopper-lock:"
LOCK_SECONDS = 120  # a refill killed with kill -9 frees its campaign after this
PAGE = 500
SCAN_LIMIT = 20_000  # leads looked at per refill: a huge undialable list cannot stall a worker
PRIORITY_WEIGHT = 10_000_000.0  # above the largest lead score (lists.MAX_SCORE)
QUEUE = "default"  # one of platform.scheduler.QUEUES
JOB_PREFIX = "dialer-hopper_"


def order_of(priority: int, score: float) -> float:
    """The sorted-set score: lower pops first, so higher priority and lead score come first."""
    return -(priority * PRIORITY_WEIGHT + score)


class Hopper:
    """One campaign's hopper in Redis."""

    def __init__(self, client: redis.Redis, campaign_id: int) -> None:
        self._redis = client
        self.key = f"{KEY}{campaign_id}"

    def size(self) -> int:
        return int(self._redis.zcard(self.key))

    def lead_ids(self, limit: int | None = None) -> list[int]:
        """The buffered leads (all, or the first `limit`), in dial order."""
        members: Any = self._redis.zrange(self.key, 0, -1 if limit is None else limit - 1)
        return [int(m) for m in members]

    def add(self, orders: dict[int, float]) -> int:
        """Buffer leads not buffered yet (NX: a lead already there keeps its place)."""
        if not orders:
            return 0
        added: Any = self._redis.zadd(self.key, {str(k): v for k, v in orders.items()}, nx=True)
        return int(added)

    def remove(self, lead_ids: Iterable[int]) -> int:
        ids = [str(i) for i in lead_ids]
        return int(self._redis.zrem(self.key, *ids)) if ids else 0

    def take(self, count: int) -> list[int]:
        """The next `count` leads to dial, removed from the hopper (the pacer's side)."""
        if count <= 0:
            return []
        popped: Any = self._redis.zpopmin(self.key, count)
        return [int(member) for member, _ in popped]

    def clear(self) -> int:
        return int(self._redis.delete(self.key))


@dataclass(frozen=True)
class Refill:
    """What a refill did: leads added and dropped, the size after, or why it did nothing."""

    campaign_id: int
    added: int = 0
    dropped: int = 0
    size: int = 0
    scanned: int = 0
    skipped: str | None = None


def refill(session: Session, client: redis.Redis, campaign: Campaign, now: datetime) -> Refill:
    """Bring the campaign's hopper to its hopper_size with dialable leads, in dial order."""
    hopper = Hopper(client, campaign.id)
    if campaign.status != "active":
        # Not dialing: nothing buffered may go stale; activation refills from scratch.
        return Refill(campaign.id, dropped=hopper.clear(), skipped=f"campaign is {campaign.status}")
    lock = client.lock(f"{LOCK}{campaign.id}", timeout=LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        return Refill(campaign.id, size=hopper.size(), skipped="another refill is running")
    try:
        return _refill(session, hopper, campaign, now)
    finally:
        lock.release()


def _refill(session: Session, hopper: Hopper, campaign: Campaign, now: datetime) -> Refill:
    policy = compliance_policy(campaign)
    members = hopper.lead_ids()
    kept: set[int] = set()
    for start in range(0, len(members), PAGE):
        rows = list(
            session.scalars(
                select(Lead)
                .join(LeadList, Lead.list_id == LeadList.id)
                .where(Lead.id.in_(members[start : start + PAGE]), LeadList.active.is_(True))
            )
        )
        kept |= {r.id for r in _dialable(session, campaign, policy, rows, now)}
    dropped = hopper.remove(set(members) - kept)
    need = campaign.hopper_size - len(kept)
    added = scanned = 0
    query = (
        select(Lead, LeadList.priority)
        .join(LeadList, Lead.list_id == LeadList.id)
        .where(Lead.campaign_id == campaign.id, LeadList.active.is_(True))
        .order_by(LeadList.priority.desc(), Lead.score.desc(), Lead.id)
    )
    offset = 0
    while need > 0 and scanned < SCAN_LIMIT:
        page = session.execute(query.limit(PAGE).offset(offset)).all()
        if not page:
            break
        offset += len(page)
        scanned += len(page)
        fresh = [(lead, priority) for lead, priority in page if lead.id not in kept]
        priorities = {lead.id: priority for lead, priority in fresh}
        dialable = _dialable(session, campaign, policy, [lead for lead, _ in fresh], now)
        chosen = dialable[:need]
        added += hopper.add({lead.id: order_of(priorities[lead.id], lead.score) for lead in chosen})
        kept |= {lead.id for lead in chosen}
        need -= len(chosen)
    return Refill(campaign.id, added=added, dropped=dropped, size=hopper.size(), scanned=scanned)


def _dialable(
    session: Session,
    campaign: Campaign,
    policy: CompliancePolicy,
    rows: Sequence[Lead],
    now: datetime,
) -> list[Lead]:
    """The rows routing.dialer.eligibility finds dialable at `now`, in the order given."""
    if not rows:
        return []
    numbers = [r.number for r in rows]
    dnc = preloaded(session, numbers)
    attempts = attempts_for_numbers(session, numbers)
    dispositions = campaign_dispositions(campaign)
    return [
        row
        for row in rows
        if not why_not_dialable(
            as_lead(row),
            now,
            policy=policy,
            dnc=dnc,
            attempts=attempts.get(row.number, ()),
            dispositions=dispositions,
        )
    ]


def drop_numbers(session: Session, client: redis.Redis, numbers: Iterable[str]) -> int:
    """Take every lead with one of `numbers` out of every hopper (after a DNC addition)."""
    wanted = sorted(set(numbers))
    removed = 0
    for start in range(0, len(wanted), PAGE):
        rows = session.execute(
            select(Lead.campaign_id, Lead.id).where(Lead.number.in_(wanted[start : start + PAGE]))
        ).all()
        for campaign_id, lead_id in rows:
            removed += Hopper(client, campaign_id).remove([lead_id])
    return removed


def enqueue_refill(redis_url: str, campaign_id: int) -> str:
    """Ask a worker to refill the campaign's hopper; returns the job id. Asking twice is
    harmless: a refill is idempotent and a second one waits for none (it skips under the lock).
    RQ needs a connection that answers bytes, hence its own client."""
    job_id = f"{JOB_PREFIX}{campaign_id}"
    Queue(QUEUE, connection=redis.Redis.from_url(redis_url)).enqueue(
        refill_job, campaign_id, job_id=job_id, result_ttl=600, failure_ttl=86_400
    )
    return job_id


def refill_job(campaign_id: int) -> dict[str, Any]:
    """The RQ job: refill one campaign's hopper from the worker's database."""
    job = get_current_job()
    client = job.connection if job is not None else None
    if client is None:
        raise RuntimeError("refill_job runs inside an RQ worker")
    with _database().session() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            Hopper(client, campaign_id).clear()
            return asdict(Refill(campaign_id, skipped="no such campaign"))
        result = refill(session, client, campaign, datetime.now(UTC))
    log.info("hopper refill: %s", result)
    return asdict(result)


@cache
def _database() -> Database:
    """The worker's database, from the environment's settings, once per process."""
    from contactcentre.settings import Settings

    return Database(Settings().effective_database_url)
