"""The agent console and the board (agent_ui/consoles.py): today's numbers hover with the label
and id of their routing/metrics.py definition."""

from __future__ import annotations

import html
from typing import Any

from flask.testing import FlaskClient

from routing.metrics import AverageHandleTime
from tests.integration.signin import login

AHT_TITLE = f'title="{html.escape(AverageHandleTime().label)} (aht v2), today"'


def test_the_board_heads_aht_with_its_definition(client: FlaskClient, make_user: Any) -> None:
    """The board's AHT column explains itself with the AHT definition the numbers use."""
    boss = make_user("supervisor")
    login(client, boss["email"], boss["password"])
    page = client.get("/board").get_data(as_text=True)
    assert AHT_TITLE in page


def test_the_console_shows_aht_with_its_definition(client: FlaskClient, make_user: Any) -> None:
    """The agent's own AHT hovers with the same definition as the board's."""
    agent = make_user("agent")
    login(client, agent["email"], agent["password"])
    page = client.get("/console").get_data(as_text=True)
    assert AHT_TITLE in page
