"""Why the engine did what it did: per task, each decision with its candidates and winner.

Bounded on purpose: a decision keeps the top candidates and counts, never the whole floor.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from typing import Any, Final, NamedTuple

MAX_ENTRIES_PER_TASK: Final = 100
MAX_ENDED_TASKS: Final = 10_000
MAX_IGNORED: Final = 1_000
TOP_CANDIDATES: Final = 5

# NamedTuples rather than dataclasses: an entry is written on every decision, so it must be
# cheap to build, and it is immutable once written.


class CandidateNote(NamedTuple):
    """One agent looked at for a task: eligible or not, why, and its sort key if ranked."""

    agent_id: str
    eligible: bool
    reason: str
    sort_key: tuple[Any, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "eligible": self.eligible,
            "reason": self.reason,
            "sort_key": None if self.sort_key is None else list(self.sort_key),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CandidateNote:
        key = data.get("sort_key")
        return cls(
            data["agent_id"], data["eligible"], data["reason"], None if key is None else tuple(key)
        )


class TraceEntry(NamedTuple):
    """kind: submitted, offer, waiting, step, rescinded, assigned, exit, ended, ignored, ..."""

    trace_id: str
    at: float
    task_id: str
    kind: str
    summary: str
    candidates: tuple[CandidateNote, ...] = ()
    counts: dict[str, int] = {}  # shared default, never mutated

    def to_dict(self) -> dict[str, Any]:
        return {
            "trace_id": self.trace_id,
            "at": self.at,
            "task_id": self.task_id,
            "kind": self.kind,
            "summary": self.summary,
            "candidates": [note.to_dict() for note in self.candidates],
            "counts": dict(self.counts),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TraceEntry:
        return cls(
            data["trace_id"],
            data["at"],
            data["task_id"],
            data["kind"],
            data["summary"],
            tuple(CandidateNote.from_dict(note) for note in data.get("candidates", [])),
            dict(data.get("counts", {})),
        )


class TraceLog:
    """Entries of live tasks, plus the most recent ended tasks and ignored commands."""

    def __init__(self) -> None:
        self.counter = 0
        self.live: dict[str, deque[TraceEntry]] = {}
        self.ended: OrderedDict[str, list[TraceEntry]] = OrderedDict()
        self.ignored: deque[TraceEntry] = deque(maxlen=MAX_IGNORED)

    def next_id(self) -> str:
        self.counter += 1
        return f"d{self.counter}"

    def add(
        self,
        at: float,
        task_id: str,
        kind: str,
        summary: str,
        *,
        candidates: tuple[CandidateNote, ...] = (),
        counts: dict[str, int] | None = None,
    ) -> str:
        trace_id = self.next_id()
        entry = TraceEntry(trace_id, at, task_id, kind, summary, candidates, counts or {})
        entries = self.live.get(task_id)
        if entries is None:
            ended = self.ended.get(task_id)
            if ended is not None:
                ended.append(entry)
                del ended[:-MAX_ENTRIES_PER_TASK]
                return trace_id
            entries = self.live[task_id] = deque(maxlen=MAX_ENTRIES_PER_TASK)
        entries.append(entry)
        return trace_id

    def ignore(self, at: float, ref: str, summary: str) -> None:
        """A stale or unknown command: note it on the task if we know it, else globally."""
        if ref in self.live or ref in self.ended:
            self.add(at, ref, "ignored", summary)
        else:
            self.ignored.append(TraceEntry(self.next_id(), at, ref, "ignored", summary))

    def close(self, task_id: str) -> None:
        entries = self.live.pop(task_id, None)
        self.ended[task_id] = list(entries or ())
        while len(self.ended) > MAX_ENDED_TASKS:
            self.ended.popitem(last=False)

    def entries(self, task_id: str) -> list[TraceEntry]:
        if task_id in self.live:
            return list(self.live[task_id])
        return list(self.ended.get(task_id, ()))

    def to_dict(self) -> dict[str, Any]:
        # Ended tasks' traces stay in memory only; they are history, not routing state.
        return {
            "counter": self.counter,
            "live": {task: [e.to_dict() for e in entries] for task, entries in self.live.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TraceLog:
        log = cls()
        log.counter = data["counter"]
        for task_id, entries in data["live"].items():
            log.live[task_id] = deque(
                (TraceEntry.from_dict(entry) for entry in entries), maxlen=MAX_ENTRIES_PER_TASK
            )
        return log
