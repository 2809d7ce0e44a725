"""Opening an interaction: one row and one `created` event per (channel, external_id), in the
caller's transaction, and one row when two transactions race for the same pair."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from contactcentre.interactions import event_log
from contactcentre.interactions.opening import Opened, OpeningError, open_interaction
from contactcentre.store.db import Database
from contactcentre.store.models import Interaction, InteractionEvent

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _open(db: Database, **values: Any) -> Opened:
    values.setdefault("channel", "voice")
    values.setdefault("actor", "telephony")
    values.setdefault("at", T0)
    with db.session() as session:
        return open_interaction(session, **values)


def _rows(db: Database, external_id: str) -> list[tuple[str, str]]:
    with db.session() as session:
        found = session.execute(
            sa.select(Interaction.id, Interaction.channel).where(
                Interaction.external_id == external_id
            )
        ).all()
        return [(row.id, row.channel) for row in found]


def _created_events(db: Database, interaction_id: str) -> int:
    with db.session() as session:
        return int(
            session.scalar(
                sa.select(sa.func.count(InteractionEvent.id)).where(
                    InteractionEvent.interaction_id == interaction_id,
                    InteractionEvent.type == "created",
                )
            )
            or 0
        )


@pytest.fixture
def second_process(database_url: str) -> Iterator[Database]:
    """Another handle on the same database, as a second web process has (its own engine,
    pool and writer gate)."""
    db = Database(database_url)
    yield db
    db.dispose()


def test_a_new_pair_is_created_with_its_event(database: Database) -> None:
    """The first open writes the row as given and one `created` event at the given time."""
    opened = _open(
        database,
        external_id="CA-new",
        status="ivr",
        from_address="+14155550100",
        attributes={"caller_kind": "number", "intent": "billing"},
        details={"caller_kind": "number"},
    )
    assert opened.created
    with database.session() as session:
        row = session.get(Interaction, opened.interaction.id)
        assert row is not None
        assert (row.channel, row.external_id, row.status) == ("voice", "CA-new", "ivr")
        assert row.intent == "billing"  # from the attributes when not given
        events = event_log.for_interaction(session, row.id)
    assert [(e.type, e.occurred_at, e.actor) for e in events] == [("created", T0, "telephony")]
    assert events[0].data == {"channel": "voice", "direction": "inbound", "caller_kind": "number"}


def test_the_same_pair_twice_is_one_row_and_one_event(database: Database) -> None:
    """Opening (channel, external_id) again returns the first row, unchanged, and logs nothing."""
    first = _open(database, external_id="CA-twice", status="ivr")
    second = _open(database, external_id="CA-twice", status="queued", to_address="+1")
    assert (first.created, second.created) == (True, False)
    assert second.interaction.id == first.interaction.id
    assert second.interaction.status == "ivr"
    assert second.interaction.to_address is None
    assert _rows(database, "CA-twice") == [(first.interaction.id, "voice")]
    assert _created_events(database, first.interaction.id) == 1


def test_one_external_id_on_two_channels_is_two_interactions(database: Database) -> None:
    """External ids are unique per channel: a chat and a call may share one."""
    call = _open(database, channel="voice", external_id="shared-1")
    chat = _open(database, channel="chat", external_id="shared-1", actor="customer")
    assert call.created and chat.created
    assert sorted(_rows(database, "shared-1")) == sorted(
        [(call.interaction.id, "voice"), (chat.interaction.id, "chat")]
    )


def test_the_same_chosen_id_twice_is_one_row(database: Database) -> None:
    """A caller that picks the id (a retried callback job) gets the existing row the second time."""
    first = _open(database, channel="outbound", direction="outbound", interaction_id="cb-1")
    again = _open(database, channel="outbound", direction="outbound", interaction_id="cb-1")
    assert (first.created, again.created) == (True, False)
    assert _created_events(database, "cb-1") == 1


def test_without_an_external_id_every_open_is_new(database: Database) -> None:
    """Interactions with no external id (click-to-dial, left messages) are never merged."""
    first = _open(database, channel="email", actor="customer")
    second = _open(database, channel="email", actor="customer")
    assert first.created and second.created
    assert first.interaction.id != second.interaction.id


def test_it_is_part_of_the_callers_transaction(database: Database) -> None:
    """A caller's rollback takes the row and its event with it, even as its first write."""
    with pytest.raises(RuntimeError), database.session() as session:
        session.execute(sa.select(1))
        open_interaction(session, channel="voice", external_id="CA-undo", actor="t", at=T0)
        raise RuntimeError("the caller fails after opening")
    assert _rows(database, "CA-undo") == []
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count(InteractionEvent.id))) == 0


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("channel", {"channel": "fax"}),
        ("direction", {"direction": "sideways"}),
        ("external_id", {"external_id": ""}),
    ],
)
def test_bad_arguments_name_their_field(
    database: Database, field: str, values: dict[str, Any]
) -> None:
    """An unknown channel or direction, or an empty external id, is refused naming it."""
    with pytest.raises(OpeningError) as refused:
        _open(database, **values)
    assert refused.value.field == field


def test_a_second_process_waiting_on_the_first_gets_its_row(
    database: Database, second_process: Database
) -> None:
    """Two transactions opening one pair at once: the one that wrote first wins, the other
    (writing while the first is still open) gets the winner's row, and nothing raises."""
    writing = threading.Event()

    def signal_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INTERACTIONS "):
            writing.set()

    event.listen(second_process.engine, "before_cursor_execute", signal_insert)

    def loser() -> Opened:
        return _open(second_process, external_id="CA-race")

    with ThreadPoolExecutor(max_workers=1) as pool, database.session() as session:
        winner = open_interaction(
            session, channel="voice", external_id="CA-race", actor="telephony", at=T0
        )
        late = pool.submit(loser)
        assert writing.wait(10), "the second process never tried to write"
        # Committed on leaving the block, while the other transaction waits to insert.
    assert late.result(timeout=30).interaction.id == winner.interaction.id
    assert (winner.created, late.result().created) == (True, False)
    assert _rows(database, "CA-race") == [(winner.interaction.id, "voice")]
    assert _created_events(database, winner.interaction.id) == 1


def test_racing_opens_end_with_one_row_each(database: Database, second_process: Database) -> None:
    """Two processes released together on the same pairs: one row and one event per pair,
    exactly one opener told it created it, and both hold the same interaction."""
    pairs = [f"CA-free-{n}" for n in range(10)]
    start = threading.Barrier(2)

    def race(db: Database) -> list[Opened]:
        start.wait(10)
        return [_open(db, external_id=external_id) for external_id in pairs]

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(race, db) for db in (database, second_process)]
        left, right = (run.result(timeout=60) for run in runs)
    for external_id, a, b in zip(pairs, left, right, strict=True):
        assert a.interaction.id == b.interaction.id
        assert [a.created, b.created].count(True) == 1
        assert _rows(database, external_id) == [(a.interaction.id, "voice")]
        assert _created_events(database, a.interaction.id) == 1
