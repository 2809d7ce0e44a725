"""The carrier's call log: every webhook delivery, application error and notable event, in order.

It is what Twilio's Console "Call Logs" and Debugger show; tests read it to assert on what the
emulator did (which requests it sent, which errors the app caused).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class LogEntry:
    """One line of the call log; `detail` holds kind-specific fields (url, status, code...)."""

    at: datetime
    kind: str  # "webhook", "application-error", "warning", "event"
    call_sid: str | None
    detail: dict[str, object] = field(default_factory=dict)


class CallLog:
    """Append-only, thread-safe list of `LogEntry`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LogEntry] = []

    def add(self, entry: LogEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self, kind: str | None = None, call_sid: str | None = None) -> list[LogEntry]:
        """Entries filtered by kind and/or call sid, oldest first."""
        with self._lock:
            return [
                e
                for e in self._entries
                if (kind is None or e.kind == kind) and (call_sid is None or e.call_sid == call_sid)
            ]

    def application_errors(self, call_sid: str | None = None) -> list[LogEntry]:
        return self.entries("application-error", call_sid)
