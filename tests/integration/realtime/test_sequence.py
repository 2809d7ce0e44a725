"""Per-room numbering and the replay log, directly against Redis."""

from __future__ import annotations

from typing import Any

from contactcentre.realtime.rooms import LOG
from contactcentre.realtime.sequence import SequencedLog


def test_numbers_are_per_room_and_consecutive(redis_client: Any) -> None:
    """Each room counts from 1 on its own."""
    log = SequencedLog(redis_client)
    seqs = [log.append("agent:1", "x", {"n": n})["seq"] for n in range(3)]
    assert seqs == [1, 2, 3]
    assert log.append("agent:2", "x", {})["seq"] == 1
    assert log.current("agent:1") == 3


def test_replay_returns_only_what_was_missed(redis_client: Any) -> None:
    """since(n) returns the events after n, in order, and says the log is complete."""
    log = SequencedLog(redis_client)
    for n in range(5):
        log.append("agent:1", "x", {"n": n})
    events, complete = log.since("agent:1", 3)
    assert [e["seq"] for e in events] == [4, 5]
    assert [e["data"]["n"] for e in events] == [3, 4]
    assert complete is True


def test_replay_says_when_the_log_no_longer_reaches_back(redis_client: Any) -> None:
    """After trimming, a client too far behind is told to reload instead of being misled."""
    log = SequencedLog(redis_client)
    for n in range(10):
        log.append("agent:1", "x", {"n": n})
    redis_client.xtrim(LOG + "agent:1", maxlen=3, approximate=False)
    events, complete = log.since("agent:1", 2)
    assert complete is False
    assert [e["seq"] for e in events] == [8, 9, 10]
