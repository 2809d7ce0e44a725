"""The engine's full state as a JSON-serialisable dict, and back.

Indexes are not stored: they are rebuilt from the records, in a canonical order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from routing.estimate import HandleTimes
from routing.state import AgentRecord, Reservation, TaskRecord
from routing.timers import Timers
from routing.trace import TraceLog

if TYPE_CHECKING:
    from routing.decisions import Matcher

VERSION = 1


def snapshot_state(engine: Matcher) -> dict[str, Any]:
    version, internal, gauss = engine.rng.getstate()
    return {
        "version": VERSION,
        "config": engine.config.to_dict(),
        "rng": [version, list(internal), gauss],
        "now": engine.now,
        "counter": engine.counter,
        "day": engine.day,
        "agents": [agent.to_dict() for agent in engine.agents.values()],
        "tasks": [task.to_dict() for task in engine.tasks.values()],
        "reservations": [r.to_dict() for r in engine.reservations.values()],
        "timers": engine.timers.to_list(),
        "timer_seq": engine.timers.seq,
        "rr_pointers": dict(engine.rr_pointers),
        "handle_times": engine.handle_times.to_dict(),
        "traces": engine.traces.to_dict(),
    }


def restore_state(engine: Matcher, data: dict[str, Any]) -> None:
    if data.get("version") != VERSION:
        raise ValueError(f"unsupported routing snapshot version {data.get('version')!r}")
    version, internal, gauss = data["rng"]
    engine.rng.setstate((version, tuple(internal), gauss))
    engine.now = data["now"]
    engine.counter = data["counter"]
    engine.day = data["day"]
    engine.agents = {a["agent_id"]: AgentRecord.from_dict(a) for a in data["agents"]}
    engine.tasks = {t["task_id"]: TaskRecord.from_dict(t) for t in data["tasks"]}
    engine.reservations = {
        r["reservation_id"]: Reservation.from_dict(r) for r in data["reservations"]
    }
    engine.timers = Timers.from_list(data["timers"], data["timer_seq"])
    engine.rr_pointers = dict(data["rr_pointers"])
    engine.handle_times = HandleTimes.from_dict(data["handle_times"])
    engine.traces = TraceLog.from_dict(data["traces"])
