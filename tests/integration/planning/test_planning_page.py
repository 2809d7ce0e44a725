"""The planning page, server-rendered: the calculator opens on the textbook case, the forecast
table reads the interval tables, and a bad input is shown next to its field (never a 500)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.planning.history import last_monday, mondays_at_nine
from tests.integration.signin import login


@pytest.fixture
def signed_in(client: Any, make_user: Any) -> Any:
    user = make_user("supervisor")
    login(client, user["email"], user["password"])
    return client


def test_the_calculator_opens_on_the_worked_example(signed_in: Any) -> None:
    """With no input: 100 calls in 30 min at 180 s, 80/20, 30% shrinkage, 120 s patience ->
    Erlang C 14 on the phones / 20 scheduled, Erlang A 12 / 18."""
    page = signed_in.get("/planning").get_data(as_text=True)
    assert re.search(
        r'data-model="erlang_c">.*?<strong class="agents">14</strong> / 20', page, re.S
    )
    assert re.search(
        r'data-model="erlang_a">.*?<strong class="agents">12</strong> / 18', page, re.S
    )
    assert "88.8%" in page  # Erlang C's service level at 14


def test_a_bad_input_is_shown_beside_its_field(signed_in: Any) -> None:
    """A negative volume is refused next to the volume field; the page still renders (200)."""
    reply = signed_in.get("/planning", query_string={"contacts": "-5"})
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert 'id="e-contacts"' in page and "greater than or equal to 0" in page
    assert "Fix the inputs marked above to see the answer." in page


def test_forecast_and_requirements_per_interval(app: Any, signed_in: Any) -> None:
    """The Billing Mondays (10, 20, 30, 40 at 09:00) forecast 25 contacts at 09:00 with the
    staff they need; the accuracy line names WAPE and its baseline."""
    covered = last_monday()
    with app.extensions["contactcentre"].db.session() as session:
        queue = mondays_at_nine(session, covered, [10, 20, 30, 40], 100.0)
        queue_id = queue.id
    day = (covered + timedelta(weeks=1)).date().isoformat()
    page = signed_in.get(
        "/planning", query_string={"from": day, "queue_id": queue_id, "days": "1"}
    ).get_data(as_text=True)
    row = re.search(r"<tr><th scope=\"row\">[^<]*09:00</th>(.*?)</tr>", page, re.S)
    assert row is not None, page[page.find('id="forecast"') :][:2000]
    assert "<td>25.0</td><td>100.0 s</td><td>4</td>" in row.group(1)
    assert "50.0% on the last 2 week(s) held out" in page
    assert "same interval last week" in page


def test_agents_cannot_open_it(client: Any, make_user: Any) -> None:
    """An agent gets 403 on the planning page."""
    agent = make_user("agent")
    login(client, agent["email"], agent["password"])
    assert client.get("/planning").status_code == 403


def test_a_replay_of_a_day_with_no_log_says_so_beside_the_day(signed_in: Any) -> None:
    """Asking to replay a day nobody worked shows why next to the day field, not a 500."""
    page = signed_in.get("/planning", query_string={"replay_day": "2026-05-03"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="e-replay_day"' in text and "no agent handled a contact" in text
    assert 'id="whatif"' not in text
