"""The hopper on real Valkey: dial order, no lead twice, undialable leads dropped, the RQ job."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import redis as redis_lib
from rq import Queue, SimpleWorker
from sqlalchemy import select

from contactcentre.dialer import hopper
from contactcentre.dialer.dnc import add_number
from contactcentre.dialer.hopper import Hopper, refill
from contactcentre.store.db import Database
from contactcentre.store.models import Campaign, Lead
from routing.dialer.suppression import DncScope
from tests.integration.dialer.floor import add_campaign, add_lead, add_list

OPEN = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 10:00 in New York


def _number(i: int) -> str:
    return f"+1212555{i:04d}"


def _floor(database: Database, **columns: Any) -> tuple[int, dict[str, int]]:
    """A campaign with a low list (scores 10, 90) and a high one (scores 5, 50)."""
    with database.session() as session:
        campaign = add_campaign(session, **columns)
        low, high = add_list(session, campaign, "low", 1), add_list(session, campaign, "high", 9)
        ids = {
            "low10": add_lead(session, low, _number(1), score=10).id,
            "low90": add_lead(session, low, _number(2), score=90).id,
            "high5": add_lead(session, high, _number(3), score=5).id,
            "high50": add_lead(session, high, _number(4), score=50).id,
        }
        return campaign.id, ids


def _refill(database: Database, client: Any, campaign_id: int) -> hopper.Refill:
    with database.session() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        return refill(session, client, campaign, OPEN)


def test_leads_come_out_by_list_priority_then_score(database: Database, redis_client: Any) -> None:
    """The high list first, best score first within a list."""
    campaign_id, ids = _floor(database)
    result = _refill(database, redis_client, campaign_id)
    assert (result.added, result.size) == (4, 4)
    expected = [ids["high50"], ids["high5"], ids["low90"], ids["low10"]]
    assert Hopper(redis_client, campaign_id).lead_ids() == expected
    assert Hopper(redis_client, campaign_id).take(2) == expected[:2]


def test_a_refill_is_idempotent_and_bounded(database: Database, redis_client: Any) -> None:
    """Run twice: the same hopper, no lead twice; never above hopper_size, best leads kept."""
    campaign_id, ids = _floor(database, hopper_size=3)
    first = _refill(database, redis_client, campaign_id)
    again = _refill(database, redis_client, campaign_id)
    assert (first.added, again.added, again.size) == (3, 0, 3)
    assert Hopper(redis_client, campaign_id).lead_ids() == [
        ids["high50"],
        ids["high5"],
        ids["low90"],
    ]


def test_a_dnc_number_is_never_buffered_and_leaves_at_once(
    database: Database, redis_client: Any
) -> None:
    """A number on DNC is skipped; one added later is dropped by drop_numbers at once."""
    campaign_id, ids = _floor(database)
    with database.session() as session:
        add_number(session, _number(4), DncScope.INTERNAL, None, "complaint")
    _refill(database, redis_client, campaign_id)
    assert ids["high50"] not in Hopper(redis_client, campaign_id).lead_ids()
    with database.session() as session:
        add_number(session, _number(3), DncScope.NATIONAL, None, "registry")
        session.commit()
        assert hopper.drop_numbers(session, redis_client, [_number(3)]) == 1
    assert Hopper(redis_client, campaign_id).lead_ids() == [ids["low90"], ids["low10"]]


def test_a_refill_drops_members_that_stopped_being_dialable(
    database: Database, redis_client: Any
) -> None:
    """A member put on a list behind the hopper's back is dropped at the next refill."""
    campaign_id, ids = _floor(database)
    _refill(database, redis_client, campaign_id)
    with database.session() as session:
        add_number(session, _number(1), DncScope.CAMPAIGN, campaign_id, "asked")
    result = _refill(database, redis_client, campaign_id)
    assert (result.dropped, result.size) == (1, 3)
    assert ids["low10"] not in Hopper(redis_client, campaign_id).lead_ids()


def test_an_inactive_campaign_keeps_no_hopper(database: Database, redis_client: Any) -> None:
    """Paused or stopped: the refill empties the hopper instead of filling it."""
    campaign_id, _ = _floor(database)
    _refill(database, redis_client, campaign_id)
    with database.session() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.status = "paused"
    result = _refill(database, redis_client, campaign_id)
    assert (result.size, result.skipped) == (0, "campaign is paused")
    assert Hopper(redis_client, campaign_id).size() == 0


def test_a_refill_while_another_runs_skips(database: Database, redis_client: Any) -> None:
    """One refill per campaign at a time: a second one under the lock does nothing."""
    campaign_id, _ = _floor(database)
    lock = redis_client.lock(f"{hopper.LOCK}{campaign_id}", timeout=30)
    assert lock.acquire(blocking=False)
    try:
        assert _refill(database, redis_client, campaign_id).skipped == "another refill is running"
    finally:
        lock.release()


def test_the_rq_job_refills_from_the_worker_s_database(
    database: Database, database_url: str, redis_url: str, redis_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """enqueue_refill twice, a real RQ worker on Valkey: the hopper holds each lead once."""
    campaign_id, ids = _floor(database)
    with database.session() as session:
        for lead in session.scalars(select(Lead)):
            lead.time_zones = [_zone_at_noon(datetime.now(UTC))]
    monkeypatch.setenv("CC_DATABASE_URL", database_url)
    monkeypatch.setenv("CC_REDIS_URL", redis_url)
    hopper._database.cache_clear()
    connection = redis_lib.Redis.from_url(redis_url)
    try:
        hopper.enqueue_refill(redis_url, campaign_id)
        hopper.enqueue_refill(redis_url, campaign_id)
        SimpleWorker([Queue(hopper.QUEUE, connection=connection)], connection=connection).work(
            burst=True
        )
    finally:
        hopper._database.cache_clear()
    members = Hopper(redis_client, campaign_id).lead_ids()
    assert members == [ids["high50"], ids["high5"], ids["low90"], ids["low10"]]


def _zone_at_noon(now: datetime) -> str:
    """A fixed-offset zone where it is about midday now (the job reads the real clock), so
    the test passes whenever it runs. Etc/GMT-N is UTC+N (POSIX signs)."""
    offset = (12 - now.hour + 12) % 24 - 12  # -12..11 hours
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"
