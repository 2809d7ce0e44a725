"""A Socket.IO namespace whose every event is counted against its socket's budget (an
EventLimiter): refused beyond it, and the socket disconnected when it keeps on.

The consoles' namespaces and the customers' /chat share it; each says how it answers a refusal.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_socketio import Namespace

from contactcentre.realtime.event_limits import EventLimiter, Verdict

RATE_LIMITED = {"ok": False, "error": "rate_limited"}  # the consoles' refused acknowledgement
log = logging.getLogger(__name__)


class LimitedNamespace(Namespace):  # type: ignore[misc]  # Flask-SocketIO is untyped
    def __init__(self, namespace: str, limiter: EventLimiter) -> None:
        super().__init__(namespace)
        self._limiter = limiter

    def trigger_event(self, event: str, *args: Any) -> Any:
        """Every event but the connection's own is counted (unknown events too: a flood of
        them costs as much to receive)."""
        sid = str(args[0]) if args else ""
        if event in ("connect", "disconnect"):
            try:
                return self._dispatch(event, *args)
            finally:
                if event == "disconnect":
                    self._limiter.forget(sid)
        verdict = self._limiter.hit(sid)
        if verdict is Verdict.ALLOWED:
            return self._dispatch(event, *args)
        reply = self.refused(sid, event, verdict)
        if verdict is Verdict.DISCONNECT:
            log.warning(
                "disconnecting socket %s (%s) on %s: it kept sending events too fast",
                sid,
                self.describe(sid),
                self.namespace,
            )
            self.socketio.server.disconnect(sid, namespace=self.namespace)
        return reply

    def _dispatch(self, event: str, *args: Any) -> Any:
        return super().trigger_event(event, *args)

    def refused(self, sid: str, event: str, verdict: Verdict) -> Any:
        """The acknowledgement of a refused event (DISCONNECT: the socket is closed next)."""
        return dict(RATE_LIMITED)

    def describe(self, sid: str) -> str:
        """Who holds the socket, for the log line of a disconnect."""
        return "unknown"
