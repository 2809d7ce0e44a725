"""Socket.IO handlers of /agent and /supervisor: session auth, rooms, resume with replay, presence.

Handlers stay thin: who may join what is a RoomPolicy (cti.rooms), numbering in realtime.sequence;
a channel adds its own /agent events as an AgentExtension (chat's typing relay).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from flask import current_app, request
from flask_login import current_user
from flask_socketio import Namespace, join_room

from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.presence import Presence
from contactcentre.realtime.rooms import AGENT_NS, SUPERVISORS, agent_room
from contactcentre.realtime.sequence import SequencedLog
from contactcentre.store.models import Role, User

MAX_RESUME_ROOMS = 20
log = logging.getLogger(__name__)


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["contactcentre"]
    return runtime


def _sid() -> str:
    return str(request.sid)  # type: ignore[attr-defined]  # set by Flask-SocketIO


def socket_user() -> User:
    """The signed-in user of this socket's handshake; anyone else is refused."""
    from flask_socketio import ConnectionRefusedError as Refused

    origin = request.headers.get("Origin")
    if origin is not None:
        from contactcentre.realtime.server import own_origins

        if origin.lower().rstrip("/") not in own_origins(_runtime(), request.environ):
            # The engine admits chat sites' origins for the widget; consoles are ours only.
            raise Refused("forbidden: this origin may not open the console")
    if not current_user.is_authenticated:
        raise Refused("unauthenticated: sign in first")
    user: User = current_user._get_current_object()
    return user


class RoomPolicy(Protocol):
    """Which rooms a signed-in user may join, and which replayed events they may see."""

    def may_join(self, runtime: Runtime, user: User, namespace: str, room: str) -> bool: ...

    def visible_replay(
        self, runtime: Runtime, user: User, events: list[dict[str, Any]]
    ) -> list[dict[str, Any]]: ...


class AgentExtension(Protocol):
    """Socket events a channel adds to /agent; told when a socket goes, to drop its state."""

    events: Mapping[str, Callable[[Any], Any]]

    def disconnected(self, sid: str) -> None: ...


class SocketRegistry:
    """This process's agent sockets, vouched for in Redis every few seconds while any is open."""

    def __init__(self, runtime: Runtime, interval: float) -> None:
        self.presence = Presence(runtime.redis)
        self._sockets: dict[str, str] = {}
        self._lock = threading.Lock()
        self._interval = interval
        self._thread: threading.Thread | None = None

    def add(self, sid: str, agent_id: str) -> None:
        with self._lock:
            self._sockets[sid] = agent_id
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._refresh, name="socket-presence", daemon=True
                )
                self._thread.start()
        self.presence.connected(agent_id, sid, time.time())

    def remove(self, sid: str) -> None:
        with self._lock:
            agent_id = self._sockets.pop(sid, None)
        if agent_id is not None:
            self.presence.disconnected(agent_id, sid, time.time())

    def _refresh(self) -> None:
        while True:
            time.sleep(self._interval)
            with self._lock:
                sockets = dict(self._sockets)
                if not sockets:
                    self._thread = None
                    return
            try:
                self.presence.refresh(sockets, time.time())
            except Exception:  # Redis blips must not kill the refresher
                log.exception("could not refresh socket presence")


class _Rooms(Namespace):  # type: ignore[misc]  # Flask-SocketIO is untyped
    """Join and resume, shared by both namespaces."""

    def __init__(self, namespace: str, rooms: RoomPolicy) -> None:
        super().__init__(namespace)
        self._rooms = rooms

    def on_join(self, data: Any) -> dict[str, Any]:
        room = str((data or {}).get("room", "")) if isinstance(data, dict) else ""
        runtime = _runtime()
        if not self._rooms.may_join(runtime, socket_user(), self.namespace, room):
            return {"ok": False, "error": "forbidden", "room": room}
        join_room(room)
        return {"ok": True, "room": room, "seq": SequencedLog(runtime.redis).current(room)}

    def on_resume(self, data: Any) -> dict[str, Any]:
        """Re-join the rooms a reconnecting client was in and send what it missed in each."""
        wanted = (data or {}).get("last_seq") if isinstance(data, dict) else None
        runtime = _runtime()
        user = socket_user()
        log = SequencedLog(runtime.redis)
        rooms: dict[str, Any] = {}
        refused = []
        for room, last in list((wanted or {}).items())[:MAX_RESUME_ROOMS]:
            if not isinstance(last, int) or not self._rooms.may_join(
                runtime, user, self.namespace, room
            ):
                refused.append(room)
                continue
            join_room(room)
            events, complete = log.since(room, last)
            events = self._rooms.visible_replay(runtime, user, events)
            rooms[room] = {"events": events, "complete": complete, "seq": log.current(room)}
        return {"rooms": rooms, "refused": refused}

    def on_heartbeat(self, _data: Any = None) -> dict[str, Any]:
        return {"at": time.time()}


class AgentNamespace(_Rooms):
    def __init__(
        self,
        registry: SocketRegistry,
        rooms: RoomPolicy,
        extensions: Sequence[AgentExtension] = (),
    ) -> None:
        super().__init__(AGENT_NS, rooms)
        self._registry = registry
        self._extensions = tuple(extensions)
        self._extra = {name: h for ext in self._extensions for name, h in ext.events.items()}

    def trigger_event(self, event: str, *args: Any) -> Any:
        handler = self._extra.get(event)
        if handler is None:
            return super().trigger_event(event, *args)
        # The same dispatch as our own on_* handlers: app and request context, error handling.
        return self.socketio._handle_event(handler, event, self.namespace, *args)

    def on_connect(self, auth: Any = None) -> None:
        from flask_socketio import ConnectionRefusedError as Refused

        user = socket_user()
        if user.agent is None:
            if not user.has_role(Role.SUPERVISOR):
                raise Refused("forbidden: this account is not an agent")
            return  # a supervisor may join agent and interaction rooms to monitor them
        room = agent_room(user.agent.id)
        join_room(room)
        self._registry.add(_sid(), str(user.agent.id))

    def on_disconnect(self, *_reason: Any) -> None:
        sid = _sid()
        self._registry.remove(sid)
        for extension in self._extensions:
            extension.disconnected(sid)


class SupervisorNamespace(_Rooms):
    def on_connect(self, auth: Any = None) -> None:
        from flask_socketio import ConnectionRefusedError as Refused

        if not socket_user().has_role(Role.SUPERVISOR):
            raise Refused("forbidden: the supervisor board needs the supervisor role")
        join_room(SUPERVISORS)
