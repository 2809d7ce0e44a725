"""CSV lead lists: per-row validation to E.164, zones, dedup, the two modes, the error report."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.dialer.floor import add_campaign

pytestmark = pytest.mark.usefixtures("validated_responses")

GOOD = (
    "number,first_name,last_name,score,consent,plan\n"
    "(212) 555-0101,Ada,Lovelace,50,yes,gold\n"
    "+1 415 555 0102,Alan,Turing,90,true,silver\n"
    "602-555-0103,Grace,Hopper,10,no,\n"
)


@pytest.fixture
def campaign_id(app: Any) -> int:
    with app.extensions["contactcentre"].db.session() as session:
        return add_campaign(session, status="draft").id


def _upload(client: Any, headers: Any, campaign_id: int, text: str, **form: Any) -> Any:
    data = {
        "name": "Spring",
        **{k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in form.items()},
    }
    data["file"] = (io.BytesIO(text.encode()), "leads.csv")
    return client.post(
        f"/api/v1/campaigns/{campaign_id}/lists",
        data=data,
        headers=headers,
        content_type="multipart/form-data",
    )


def _leads(client: Any, headers: Any, campaign_id: int) -> list[dict[str, Any]]:
    page = client.get(f"/api/v1/campaigns/{campaign_id}/leads?limit=500", headers=headers)
    return list(page.get_json()["items"])


def test_a_good_file_becomes_a_list_of_e164_leads_with_zones(
    client: Any, admin: Any, campaign_id: int
) -> None:
    """Every spelling becomes E.164 with its candidate zones; other columns are custom fields."""
    h = admin["headers"]
    done = _upload(client, h, campaign_id, GOOD, priority=7)
    assert done.status_code == 201, done.get_json()
    record = done.get_json()
    assert (record["status"], record["imported"], record["skipped"]) == ("imported", 3, 0)
    leads = {lead["number"]: lead for lead in _leads(client, h, campaign_id)}
    assert set(leads) == {"+12125550101", "+14155550102", "+16025550103"}
    assert leads["+12125550101"]["time_zones"] == ["America/New_York"]
    assert leads["+16025550103"]["time_zones"] == ["America/Phoenix"]  # Arizona: no DST
    assert leads["+12125550101"]["custom"] == {"plan": "gold"}
    assert (leads["+14155550102"]["score"], leads["+14155550102"]["consent"]) == (90.0, True)
    assert leads["+16025550103"]["consent"] is False
    lists = client.get(f"/api/v1/campaigns/{campaign_id}/lists", headers=h).get_json()["items"]
    assert [(x["name"], x["priority"], x["leads"]) for x in lists] == [("Spring", 7, 3)]


BAD = (
    "phone,first_name,score,consent\n"
    "212 555 0101,Ada,50,yes\n"  # row 2: good
    "12,Bob,1,yes\n"  # row 3: too short
    "212-555-0101,Ada again,5,yes\n"  # row 4: repeats row 2
    "415 555 0102,Cy,lots,maybe\n"  # row 5: bad score, bad consent
    ",Nobody,1,yes\n"  # row 6: no number
    "602 555 0103,Di,2,no\n"  # row 7: good
)


def test_all_or_nothing_writes_nothing_and_reports_every_problem(
    client: Any, admin: Any, campaign_id: int
) -> None:
    """One bad row and nothing is imported; the answer and the error report name each
    problem by row, field and reason."""
    h = admin["headers"]
    refused = _upload(client, h, campaign_id, BAD)
    assert refused.status_code == 422, refused.get_json()
    body = refused.get_json()
    assert body["error"]["code"] == "import_rejected"
    assert body["error"]["field"] == "number"
    record = body["import"]
    assert (record["status"], record["imported"], record["list_id"]) == ("rejected", 0, None)
    assert _leads(client, h, campaign_id) == []
    assert client.get(f"/api/v1/campaigns/{campaign_id}/lists", headers=h).get_json()["items"] == []
    report = client.get(
        f"/api/v1/campaigns/{campaign_id}/imports/{record['id']}/errors.csv", headers=h
    )
    assert report.status_code == 200
    assert report.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report.get_data(as_text=True))))
    found = {(int(r["row"]), r["field"]) for r in rows}
    assert found == {(3, "number"), (4, "number"), (5, "score"), (5, "consent"), (6, "number")}
    assert any("repeats row 2" in r["reason"] for r in rows)


def test_skip_bad_rows_imports_the_good_ones(client: Any, admin: Any, campaign_id: int) -> None:
    """The same file with skip_bad_rows: the two good rows are imported, four are skipped."""
    h = admin["headers"]
    done = _upload(client, h, campaign_id, BAD, skip_bad_rows=True)
    assert done.status_code == 201, done.get_json()
    record = done.get_json()
    assert (record["imported"], record["skipped"], record["rows_read"]) == (2, 4, 6)
    numbers = {lead["number"] for lead in _leads(client, h, campaign_id)}
    assert numbers == {"+12125550101", "+16025550103"}
    imports = client.get(f"/api/v1/campaigns/{campaign_id}/imports", headers=h).get_json()
    assert imports["items"][0]["errors_total"] == 5


def test_a_number_already_in_another_list_of_the_campaign_is_a_duplicate(
    client: Any, admin: Any, campaign_id: int
) -> None:
    """Dedup across the campaign's lists: the second list's copy is refused, naming the list."""
    h = admin["headers"]
    assert _upload(client, h, campaign_id, GOOD).status_code == 201
    second = "number\n+12125550101\n+13125550104\n"
    refused = _upload(client, h, campaign_id, second, name="Summer")
    assert refused.status_code == 422
    assert "already in list 'Spring'" in refused.get_json()["import"]["errors"][0]["reason"]
    done = _upload(client, h, campaign_id, second, name="Summer", skip_bad_rows=True)
    assert done.get_json()["imported"] == 1
    assert len(_leads(client, h, campaign_id)) == 4


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("first_name,last_name\nAda,Lovelace\n", "no number column"),
        ("number,number\n1,2\n", "repeated"),
    ],
)
def test_a_file_that_is_not_a_lead_list_is_refused(
    client: Any, admin: Any, campaign_id: int, text: str, words: str
) -> None:
    """File-level problems answer 422 naming the file, and write nothing."""
    refused = _upload(client, admin["headers"], campaign_id, text)
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["error"]["field"] == "file"
    assert words in refused.get_json()["error"]["message"]


def test_not_utf8_is_refused(client: Any, admin: Any, campaign_id: int) -> None:
    """Latin-1 bytes are a file error, not a 500."""
    data = {
        "name": "L1",
        "file": (io.BytesIO("number,first_name\n2125550101,Jos\xe9\n".encode("latin-1")), "x.csv"),
    }
    refused = client.post(
        f"/api/v1/campaigns/{campaign_id}/lists", data=data, headers=admin["headers"],
        content_type="multipart/form-data",
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "file"


def test_the_upload_form_is_validated(client: Any, admin: Any, campaign_id: int) -> None:
    """A bad priority or region, or no file, is a 422 naming the field."""
    h = admin["headers"]
    assert (
        _upload(client, h, campaign_id, GOOD, priority=0).get_json()["error"]["field"] == "priority"
    )
    assert (
        _upload(client, h, campaign_id, GOOD, region="QQ").get_json()["error"]["field"] == "region"
    )
    missing = client.post(
        f"/api/v1/campaigns/{campaign_id}/lists", data={"name": "x"}, headers=h,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert missing.status_code == 422
    assert missing.get_json()["error"]["field"] == "file"


def test_only_admins_import(client: Any, make_user: Any, campaign_id: int) -> None:
    """A supervisor may read the lists but not upload one."""
    supervisor = make_user("supervisor")["headers"]
    assert _upload(client, supervisor, campaign_id, GOOD).status_code == 403
    assert (
        client.get(f"/api/v1/campaigns/{campaign_id}/lists", headers=supervisor).status_code == 200
    )
