"""Staff typing in a chat, relayed from the /agent socket to the customer and never stored.

Chat's part of the agent namespace (an AgentExtension), so realtime/ needs no chat import.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app, request

from contactcentre.chat.agent_side import ChatRefused, typing_room
from contactcentre.chat.namespace import TYPING_REPEAT_SECONDS
from contactcentre.realtime.rooms import CHAT_NS
from contactcentre.realtime.socket_auth import socket_user


class StaffTyping:
    """`chat_typing` on /agent: its agent, or a supervisor who barged in, typing in a chat."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (sid, interaction id) -> (active, when relayed): a repeated "still typing" is relayed
        # at most every TYPING_REPEAT_SECONDS, as on the customer's side.
        self._typing: dict[tuple[str, str], tuple[bool, float]] = {}
        self.events: Mapping[str, Callable[[Any], Any]] = {"chat_typing": self.typing}

    def typing(self, data: Any) -> dict[str, Any]:
        from flask_socketio import emit

        interaction_id = data.get("interaction_id") if isinstance(data, dict) else None
        if not isinstance(interaction_id, str) or not interaction_id:
            return {"ok": False, "error": "interaction_id required"}
        active = bool(data.get("active"))
        sid = str(request.sid)  # type: ignore[attr-defined]  # set by Flask-SocketIO
        key, now = (sid, interaction_id), time.monotonic()
        with self._lock:
            last = self._typing.get(key)
        if last is not None and last[0] == active and now - last[1] < TYPING_REPEAT_SECONDS:
            return {"ok": True}  # relayed a moment ago (by this socket, after the checks)
        try:
            room, name = typing_room(
                current_app.extensions["contactcentre"], socket_user(), interaction_id
            )
        except ChatRefused as exc:
            return {"ok": False, "error": exc.code}
        emit("typing", {"who": "agent", "name": name, "active": active}, namespace=CHAT_NS, to=room)
        with self._lock:
            self._typing[key] = (active, now)
        return {"ok": True}

    def disconnected(self, sid: str) -> None:
        with self._lock:
            for key in [key for key in self._typing if key[0] == sid]:
                del self._typing[key]
