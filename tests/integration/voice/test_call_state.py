"""The call store in real Valkey: a version that rises with every change an agent sees, a watcher
told of each with the agent before it, and the push that turns those into room events."""

from __future__ import annotations

from typing import Any

from contactcentre.realtime.emitter import RealtimeEmitter
from contactcentre.realtime.rooms import agent_room
from contactcentre.realtime.sequence import SequencedLog
from contactcentre.voice import call_state as cs
from contactcentre.voice.call_push import CALL_STATE_EVENT, CallStatePush


class Watcher:
    """Keeps what it is told: (call as the change left it, its agent before the change)."""

    def __init__(self) -> None:
        self.seen: list[tuple[cs.LiveCall, str]] = []

    def changed(self, call: cs.LiveCall, agent_before: str) -> None:
        self.seen.append((call, agent_before))


def test_every_watched_change_raises_the_version_and_tells_the_watcher(
    redis_client: Any,
) -> None:
    """A change an agent sees gets the next version and reaches the watcher, as stored."""
    watcher = Watcher()
    store = cs.CallStore(redis_client, watcher)
    store.put(cs.LiveCall("i1", phase=cs.QUEUED))
    store.update("i1", phase=cs.CONNECTING, agent_id="7", agent_sid="CA1")
    store.update("i1", on_hold=1)
    assert [(c.version, c.phase, c.on_hold, before) for c, before in watcher.seen] == [
        (1, cs.QUEUED, 0, ""),
        (2, cs.CONNECTING, 0, ""),
        (3, cs.CONNECTING, 1, "7"),
    ]
    stored = store.get("i1")
    assert stored is not None and stored.version == 3


def test_a_change_no_agent_sees_neither_tells_nor_counts(redis_client: Any) -> None:
    """An announcement time or a language is not news for the console: no version, no watcher."""
    watcher = Watcher()
    store = cs.CallStore(redis_client, watcher)
    store.put(cs.LiveCall("i1"))
    store.update("i1", last_announced=5.0, language="es")
    assert len(watcher.seen) == 1
    stored = store.get("i1")
    assert stored is not None and stored.version == 1 and stored.language == "es"


def test_writing_a_call_afresh_never_lowers_its_version(redis_client: Any) -> None:
    """put() over an existing call (a callback's new leg) continues its version, never resets it."""
    store = cs.CallStore(redis_client)
    store.put(cs.LiveCall("i1"))
    store.update("i1", phase=cs.QUEUED)
    store.put(cs.LiveCall("i1", phase=cs.CALLBACK, version=0))
    stored = store.get("i1")
    assert stored is not None and stored.version == 3 and stored.phase == cs.CALLBACK


def _pushed(redis_client: Any, agent_id: str) -> list[dict[str, Any]]:
    events, _complete = SequencedLog(redis_client).since(agent_room(agent_id), 0)
    return [e for e in events if e["event"] == CALL_STATE_EVENT]


def test_a_transfer_tells_the_agent_it_left_and_the_one_it_reached(redis_client: Any) -> None:
    """When a call moves to another agent, both agents' rooms get its new state; the call's
    agent_id says whose it is now."""
    emitter = RealtimeEmitter(redis_client, "", channel="")
    store = cs.CallStore(redis_client, CallStatePush(emitter))
    store.put(cs.LiveCall("i1", phase=cs.CONNECTED, agent_id="7", agent_sid="CA1"))
    store.update("i1", agent_id="8", agent_sid="CA2")
    left, reached = _pushed(redis_client, "7"), _pushed(redis_client, "8")
    assert [e["data"]["agent_id"] for e in left] == [7, 8]
    assert [e["data"]["agent_id"] for e in reached] == [8]
    assert reached[0]["data"]["id"] == left[-1]["data"]["id"] == "call:i1:2"


def test_a_call_nobody_handles_is_pushed_to_no_room(redis_client: Any) -> None:
    """In the IVR or the queue a call has no agent, and no room is written to."""
    emitter = RealtimeEmitter(redis_client, "", channel="")
    store = cs.CallStore(redis_client, CallStatePush(emitter))
    store.put(cs.LiveCall("i1", phase=cs.IVR))
    store.update("i1", phase=cs.QUEUED)
    assert list(redis_client.scan_iter("cc:rt:log:*")) == []
