"""The state of one call in the IVR, kept as a JSON-serialisable dict between webhooks.
The web layer stores it (e.g. in Redis keyed by CallSid); the engine never keeps it in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ivr.actions import Scalar
from ivr.errors import SessionStateError

JsonDict = dict[str, Any]
STATE_VERSION = 1


@dataclass(frozen=True)
class PathEntry:
    """One node the caller went through, what they answered there and which way the flow went.

    Shown to the agent in the screen pop as the "IVR path".
    """

    node: str
    input: str | None = None
    outcome: str | None = None

    def to_json(self) -> JsonDict:
        return {"node": self.node, "input": self.input, "outcome": self.outcome}

    def __str__(self) -> str:
        said = f" [{self.input}]" if self.input else ""
        went = f" -> {self.outcome}" if self.outcome else ""
        return f"{self.node}{said}{went}"


@dataclass
class CallSession:
    """Mutable while one engine call runs; persisted with `to_state()` at the end of it."""

    flow_id: str
    caller_number: str
    channel: str
    attributes: dict[str, Scalar]
    priority: int = 0
    waiting_at: str | None = None
    attempts: int = 0
    offered_slots: list[dict[str, str]] = field(default_factory=list)
    path: list[PathEntry] = field(default_factory=list)
    finished: bool = False

    @property
    def language(self) -> str:
        return str(self.attributes["language"])

    def visit(self, node: str, user_input: str | None = None, outcome: str | None = None) -> None:
        self.path.append(PathEntry(node, user_input, outcome))

    def to_state(self) -> JsonDict:
        return {
            "version": STATE_VERSION,
            "flow": self.flow_id,
            "caller_number": self.caller_number,
            "channel": self.channel,
            "attributes": dict(self.attributes),
            "priority": self.priority,
            "waiting_at": self.waiting_at,
            "attempts": self.attempts,
            "offered_slots": [dict(slot) for slot in self.offered_slots],
            "path": [entry.to_json() for entry in self.path],
            "finished": self.finished,
        }

    @classmethod
    def from_state(cls, state: JsonDict) -> CallSession:
        """Rebuild a session; raises SessionStateError if the dict is not a state we wrote."""
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            raise SessionStateError(f"not an IVR state of version {STATE_VERSION}")
        try:
            attributes = state["attributes"]
            if not isinstance(attributes, dict) or "language" not in attributes:
                raise SessionStateError("IVR state has no attributes with a language")
            return cls(
                flow_id=str(state["flow"]),
                caller_number=str(state["caller_number"]),
                channel=str(state["channel"]),
                attributes=dict(attributes),
                priority=int(state["priority"]),
                waiting_at=state["waiting_at"],
                attempts=int(state["attempts"]),
                offered_slots=[dict(slot) for slot in state["offered_slots"]],
                path=[PathEntry(p["node"], p["input"], p["outcome"]) for p in state["path"]],
                finished=bool(state["finished"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SessionStateError(f"IVR state is incomplete or corrupt: {exc}") from exc
