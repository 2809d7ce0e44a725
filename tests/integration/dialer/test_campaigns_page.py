"""The campaigns page shows each campaign's status, its lists and its imports' results."""

from __future__ import annotations

import io
from typing import Any

from flask_openapi3 import OpenAPI

from tests.integration.dialer.floor import add_campaign
from tests.integration.signin import login


def _upload(client: Any, headers: Any, campaign_id: int, name: str, text: str) -> Any:
    data = {"name": name, "file": (io.BytesIO(text.encode()), f"{name}.csv")}
    return client.post(
        f"/api/v1/campaigns/{campaign_id}/lists", data=data, headers=headers,
        content_type="multipart/form-data",
    )  # fmt: skip


def test_a_supervisor_sees_status_lists_and_import_results(
    app: OpenAPI, admin: Any, make_user: Any
) -> None:
    """Status, mode, list with its lead count, an imported and a rejected import with the
    link to its error report."""
    with app.extensions["contactcentre"].db.session() as session:
        campaign_id = add_campaign(session, "Winback", mode="power", dial_ratio=2.0).id
    api = app.test_client()
    assert (
        _upload(api, admin["headers"], campaign_id, "spring", "number\n2125550101\n").status_code
        == 201
    )
    rejected = _upload(api, admin["headers"], campaign_id, "bad", "number\n12\n")
    import_id = rejected.get_json()["import"]["id"]
    supervisor = make_user("supervisor")
    browser = app.test_client()
    assert login(browser, supervisor["email"], supervisor["password"]).status_code == 302
    page = browser.get("/campaigns")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Winback" in html
    assert "active" in html
    assert "power (2 calls per free agent)" in html
    assert "<td>spring</td><td>5</td><td>1</td><td>active</td>" in html
    assert "rejected (nothing written)" in html
    report = f"/api/v1/campaigns/{campaign_id}/imports/{import_id}/errors.csv"
    assert report in html
    assert browser.get(report).status_code == 200  # the link works with the page's session


def test_no_campaign_says_what_to_do(app: OpenAPI, make_user: Any) -> None:
    """The empty page says how to create a campaign."""
    supervisor = make_user("supervisor")
    browser = app.test_client()
    login(browser, supervisor["email"], supervisor["password"])
    assert "POST /api/v1/campaigns" in browser.get("/campaigns").get_data(as_text=True)


def test_agents_may_not_open_it(app: OpenAPI, make_user: Any) -> None:
    """Agents are refused the page."""
    agent = make_user("agent")
    browser = app.test_client()
    login(browser, agent["email"], agent["password"])
    assert browser.get("/campaigns").status_code == 403
