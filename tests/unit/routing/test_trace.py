"""Tests for routing.trace: bounded per-task traces, ended tasks and ignored commands."""

from __future__ import annotations

import json

from routing.trace import MAX_ENTRIES_PER_TASK, CandidateNote, TraceEntry, TraceLog


def test_entries_are_bounded_per_task() -> None:
    """A task keeps at most MAX_ENTRIES_PER_TASK entries, the most recent."""
    log = TraceLog()
    for n in range(MAX_ENTRIES_PER_TASK + 10):
        log.add(float(n), "t1", "waiting", f"n{n}")
    entries = log.entries("t1")
    assert (
        len(entries) == MAX_ENTRIES_PER_TASK
        and entries[-1].summary == f"n{MAX_ENTRIES_PER_TASK + 9}"
    )


def test_closed_tasks_keep_their_trace_and_ignored_notes() -> None:
    """An ended task's trace stays readable; later stale commands are noted on it."""
    log = TraceLog()
    log.add(0, "t1", "queued", "queued")
    log.close("t1")
    log.ignore(1, "t1", "late cancel")
    log.ignore(2, "t404", "unknown task")
    assert [e.kind for e in log.entries("t1")] == ["queued", "ignored"]
    assert [e.task_id for e in log.ignored] == ["t404"]


def test_trace_ids_are_unique_and_sequential() -> None:
    """Every decision gets its own trace id for the effects that cite it."""
    log = TraceLog()
    ids = [log.add(0, "t1", "x", "y") for _ in range(3)]
    assert ids == ["d1", "d2", "d3"]


def test_entries_round_trip_through_json() -> None:
    """Entries, candidate notes and sort keys survive a JSON round trip."""
    entry = TraceEntry(
        "d1",
        1.0,
        "t1",
        "offer",
        "winner",
        (CandidateNote("a1", True, "winner by most_skilled", (-8, 0.0, "a1")),),
        {"eligible": 3},
    )
    assert TraceEntry.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry
    log = TraceLog()
    log.add(0, "t1", "x", "y", candidates=entry.candidates)
    assert TraceLog.from_dict(json.loads(json.dumps(log.to_dict()))).entries("t1") == log.entries(
        "t1"
    )
