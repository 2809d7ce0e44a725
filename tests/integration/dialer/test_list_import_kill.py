"""kill -9 in the middle of a list import leaves no list and no lead: the whole list or none.

The import runs in a real child process, which stops mid-way (rows flushed, not committed) on
its own progress callback until it is killed, so the test needs no timing to catch it there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from contactcentre.store.db import Database
from contactcentre.store.models import Lead, LeadImport, LeadList
from tests.integration.dialer.floor import add_campaign

ROOT = Path(__file__).resolve().parents[3]
ROWS = 3000

CHILD = """
import sys
from contactcentre.dialer.lists import import_list
from contactcentre.store.db import Database
from contactcentre.store.models import Campaign

def wait_for_the_kill(rows):
    print(f"flushed {rows}", flush=True)
    sys.stdin.readline()  # blocks: the parent kills us here, mid-transaction

url, path, campaign_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Database(url).session() as session, open(path, "rb") as stream:
    campaign = session.get(Campaign, campaign_id)
    import_list(session, campaign, stream, list_name="Big", priority=5, skip_bad_rows=False,
                region="US", progress=wait_for_the_kill)
print("finished", flush=True)
"""


def _counts(database: Database) -> tuple[int, int, int]:
    with database.session() as session:
        return (
            session.scalar(select(func.count(LeadList.id))) or 0,
            session.scalar(select(func.count(Lead.id))) or 0,
            session.scalar(select(func.count(LeadImport.id))) or 0,
        )


def test_a_killed_import_leaves_nothing_and_a_rerun_imports_it_all(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    """Killed after 500 rows were flushed: no list, no lead, no import record; run again, the
    whole file is there once."""
    with database.session() as session:
        campaign_id = add_campaign(session, status="draft").id
    big = tmp_path / "big.csv"
    with big.open("w") as out:
        out.write("number,score\n")
        for i in range(ROWS):
            out.write(f"+1212{2000000 + i:07d},{i % 100}\n")
    args = [sys.executable, "-c", CHILD, database_url, str(big), str(campaign_id)]
    child = subprocess.Popen(
        args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.startswith("flushed "), line
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert _counts(database) == (0, 0, 0)
    rerun = subprocess.run(
        args, check=False, cwd=ROOT, input="\n" * (ROWS // 500 + 1), capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert "finished" in rerun.stdout
    assert _counts(database) == (1, ROWS, 1)
