"""Why a lead is not dialable now, and why a campaign is not dialing, from real rows.

The reasons are routing.dialer's; these tests check the platform feeds them the right rows:
the lead's zones, DNC entries of every scope, its attempts, the UK 72-hour rule, consent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contactcentre.dialer.diagnostics import diagnose_campaign, diagnose_lead
from contactcentre.dialer.dnc import add_number
from contactcentre.realtime.presence import Presence
from contactcentre.store.db import Database
from contactcentre.store.models import Agent
from routing.dialer.suppression import DncScope
from tests.builders import add_agents
from tests.integration.dialer.floor import add_attempt, add_campaign, add_lead, add_list

# 15:00 UTC is 10:00 in New York (EST) and 08:00 in Phoenix (MST, no DST) on 7 Dec 2026.
OPEN = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
NY = "+12125550101"


def _reasons(found: dict[str, Any]) -> set[str]:
    return {r["reason"] for r in found["reasons"]}


def test_a_fresh_consenting_lead_inside_its_window_is_dialable(database: Database) -> None:
    """No reason at all: dialable, with its zone's local time shown."""
    with database.session() as session:
        lead = add_lead(session, add_list(session, add_campaign(session), "A"), NY)
        found = diagnose_lead(session, lead, OPEN)
    assert found["dialable"] is True
    assert found["reasons"] == []
    assert found["zones"] == [
        {"zone": "America/New_York", "local_time": "2026-12-07T10:00:00-05:00", "open": True}
    ]


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (datetime(2026, 12, 7, 13, 0, 0, tzinfo=UTC), True),  # 08:00:00 New York
        (datetime(2026, 12, 7, 12, 59, 59, tzinfo=UTC), False),  # 07:59:59
        (datetime(2026, 12, 8, 1, 59, 59, tzinfo=UTC), True),  # 20:59:59
        (datetime(2026, 12, 8, 2, 0, 0, tzinfo=UTC), False),  # 21:00:00
    ],
)
def test_the_window_is_the_lead_s_local_time(database: Database, at: datetime, open_: bool) -> None:
    """8:00:00 opens and 21:00:00 closes in New York, whatever the server's zone."""
    with database.session() as session:
        lead = add_lead(session, add_list(session, add_campaign(session), "A"), NY)
        found = diagnose_lead(session, lead, at)
    assert ("outside_window" not in _reasons(found)) is open_


def test_a_number_spanning_zones_waits_for_every_zone(database: Database) -> None:
    """Open in New York but 07:00 in Chicago: blocked until every candidate zone is open;
    no known zone at all is blocked too."""
    with database.session() as session:
        leads_list = add_list(session, add_campaign(session), "A")
        both = add_lead(session, leads_list, NY, time_zones=["America/Chicago", "America/New_York"])
        unknown = add_lead(session, leads_list, "+13125550102", time_zones=[])
        at = datetime(2026, 12, 7, 13, 30, tzinfo=UTC)  # 08:30 New York, 07:30 Chicago
        assert _reasons(diagnose_lead(session, both, at)) == {"outside_window"}
        found = diagnose_lead(session, unknown, OPEN)
    assert _reasons(found) == {"outside_window"}
    assert "unknown" in found["reasons"][0]["message"]


@pytest.mark.parametrize("scope", ["internal", "national", "campaign"])
def test_a_lead_on_any_dnc_list_is_never_dialable(database: Database, scope: str) -> None:
    """Internal, national and the campaign's own list all suppress the number."""
    with database.session() as session:
        campaign = add_campaign(session)
        lead = add_lead(session, add_list(session, campaign, "A"), NY)
        kind = DncScope(scope)
        add_number(session, NY, kind, campaign.id if kind is DncScope.CAMPAIGN else None, "test")
        found = diagnose_lead(session, lead, OPEN)
    assert _reasons(found) == {"do_not_call"}
    assert scope in found["reasons"][0]["message"]


def test_another_campaign_s_dnc_list_does_not_apply(database: Database) -> None:
    """A campaign's own list suppresses only in that campaign."""
    with database.session() as session:
        other = add_campaign(session, "Other")
        lead = add_lead(session, add_list(session, add_campaign(session), "A"), NY)
        add_number(session, NY, DncScope.CAMPAIGN, other.id, "test")
        assert diagnose_lead(session, lead, OPEN)["dialable"] is True


def test_no_consent_max_attempts_and_retry_delay(database: Database) -> None:
    """Each reason shows, and the retry delay says when it clears."""
    with database.session() as session:
        campaign = add_campaign(session, max_attempts=2)
        leads_list = add_list(session, campaign, "A")
        shy = add_lead(session, leads_list, "+13125550103", consent=False)
        assert _reasons(diagnose_lead(session, shy, OPEN)) == {"no_consent"}
        busy = add_lead(session, leads_list, NY)
        add_attempt(
            session, busy, OPEN - timedelta(minutes=5), "busy", ended_at=OPEN - timedelta(minutes=5)
        )
        found = diagnose_lead(session, busy, OPEN)
        assert _reasons(found) == {"retry_delay"}
        assert found["reasons"][0]["until"] == (OPEN + timedelta(minutes=15)).isoformat()
        add_attempt(
            session,
            busy,
            OPEN - timedelta(hours=3),
            "no_answer",
            ended_at=OPEN - timedelta(hours=3),
        )
        found = diagnose_lead(session, busy, OPEN + timedelta(hours=1))
    assert _reasons(found) == {"max_attempts"}
    assert found["attempts"] == 2


def test_uk_72_hours_after_an_abandoned_call(database: Database) -> None:
    """UK: a call abandoned (no agent within 2 s) blocks the number for 72 hours, in every
    campaign; not under US rules."""
    london = "+442079460958"
    at = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # 12:00 in London
    with database.session() as session:
        uk = add_campaign(session, "UK", jurisdiction="uk", max_attempts=10)
        abandoned_in = add_campaign(session, "UK other", jurisdiction="uk")
        earlier = add_lead(session, add_list(session, abandoned_in, "A"), london)
        answered = at - timedelta(hours=71)
        add_attempt(
            session,
            earlier,
            answered - timedelta(seconds=10),
            "human",
            answered_at=answered,
            greeting_ended_at=answered + timedelta(seconds=2),
            ended_at=answered + timedelta(seconds=20),
        )
        lead = add_lead(session, add_list(session, uk, "B"), london)
        found = diagnose_lead(session, lead, at)
        assert _reasons(found) == {"abandoned_72_hours"}
        assert diagnose_lead(session, lead, at + timedelta(hours=2))["dialable"] is True
        us = add_campaign(session, "US")
        us_lead = add_lead(session, add_list(session, us, "C"), london)
        assert diagnose_lead(session, us_lead, at)["dialable"] is True


def test_a_campaign_says_why_it_is_not_dialing(database: Database, redis_client: Any) -> None:
    """Paused, no agent of its queue signed in, hopper empty: every reason at once; an agent
    with a live console clears 'no agents'."""
    now = datetime.now(UTC)
    with database.session() as session:
        campaign = add_campaign(session, status="paused")
        found = diagnose_campaign(session, redis_client, campaign, now, grace_seconds=60)
        assert {"not_running", "no_agents", "hopper_empty"} <= _reasons(found)
        agent: Agent = add_agents(session, 1, password_hash="x")[0]
        Presence(redis_client).connected(str(agent.id), "sid-1", now.timestamp())
        found = diagnose_campaign(session, redis_client, campaign, now, grace_seconds=60)
    assert "no_agents" not in _reasons(found)
    assert found["agents_signed_in"] == 1
    assert found["abandon"][0]["period"] == "last 30 days"


def test_the_diagnosis_api(client: Any, admin: Any, app: Any, make_user: Any) -> None:
    """The lead diagnosis over HTTP: supervisors may read it, agents may not; unknown ids 404."""
    with app.extensions["contactcentre"].db.session() as session:
        campaign = add_campaign(session)
        lead = add_lead(session, add_list(session, campaign, "A"), NY, consent=False)
        ids = (campaign.id, lead.id)
    url = f"/api/v1/campaigns/{ids[0]}/leads/{ids[1]}/diagnostics"
    supervisor = make_user("supervisor")["headers"]
    found = client.get(url, headers=supervisor)
    assert found.status_code == 200, found.get_json()
    assert "no_consent" in _reasons(found.get_json())
    assert client.get(url, headers=make_user("agent")["headers"]).status_code == 403
    missing = client.get(
        f"/api/v1/campaigns/{ids[0]}/leads/{ids[1] + 99}/diagnostics", headers=supervisor
    )
    assert missing.status_code == 404
    assert missing.get_json()["error"]["field"] == "lead_id"
    diagnosis = client.get(f"/api/v1/campaigns/{ids[0]}/diagnostics", headers=supervisor)
    assert diagnosis.status_code == 200
    assert "hopper_empty" in _reasons(diagnosis.get_json())
