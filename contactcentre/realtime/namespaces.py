"""Socket.IO handlers of /agent and /supervisor: auth, rooms, resume with replay, presence.

Handlers stay thin: who may join what is a RoomPolicy (cti.rooms), numbering in realtime.sequence;
a channel adds its own /agent events as an AgentExtension (chat's typing relay).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from flask import current_app, request
from flask_socketio import join_room, leave_room

from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.desk import Desk
from contactcentre.realtime.event_limits import EventLimiter
from contactcentre.realtime.limited_namespace import LimitedNamespace
from contactcentre.realtime.registry import SocketRegistry
from contactcentre.realtime.rooms import (
    AGENT_NS,
    SUPERVISOR_NS,
    SUPERVISORS,
    agent_room,
    interaction_room,
)
from contactcentre.realtime.sequence import SequencedLog
from contactcentre.realtime.socket_auth import connecting_user, socket_user
from contactcentre.realtime.user_sockets import UserSocket
from contactcentre.store.models import Role, User

MAX_RESUME_ROOMS = 20  # rooms resumed beyond those the user holds (a supervisor's monitors)


def _runtime() -> Runtime:
    runtime: Runtime = current_app.extensions["contactcentre"]
    return runtime


def _sid() -> str:
    return str(request.sid)  # type: ignore[attr-defined]  # set by Flask-SocketIO


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


class _Rooms(LimitedNamespace):
    """Join and resume, shared by both namespaces, and the record of who holds each socket."""

    def __init__(
        self, namespace: str, registry: SocketRegistry, rooms: RoomPolicy, limiter: EventLimiter
    ) -> None:
        super().__init__(namespace, limiter)
        self._registry = registry
        self._rooms = rooms

    def describe(self, sid: str) -> str:
        socket = self._registry.socket(sid)
        return f"user {socket.user_id}" if socket else "unknown user"

    def event_names(self) -> set[str]:
        """The events a client may send (the connection's own aside)."""
        handlers = {name.removeprefix("on_") for name in dir(self) if name.startswith("on_")}
        return handlers - {"connect", "disconnect"}

    def _opened(self, user: User, credential: str, agent_id: str | None = None) -> None:
        self._registry.add(UserSocket(user.id, self.namespace, _sid(), credential), agent_id)

    def on_disconnect(self, *_reason: Any) -> None:
        self._registry.remove(_sid())

    def on_join(self, data: Any) -> dict[str, Any]:
        room = str((data or {}).get("room", "")) if isinstance(data, dict) else ""
        runtime = _runtime()
        if not self._rooms.may_join(runtime, socket_user(), self.namespace, room):
            return {"ok": False, "error": "forbidden", "room": room}
        join_room(room)
        return {"ok": True, "room": room, "seq": SequencedLog(runtime.redis).current(room)}

    def on_leave(self, data: Any) -> dict[str, Any]:
        """Stop receiving a room's events (a contact that left the desk); any room may be left."""
        room = str((data or {}).get("room", "")) if isinstance(data, dict) else ""
        leave_room(room)
        return {"ok": True, "room": room}

    def on_resume(self, data: Any) -> dict[str, Any]:
        """Re-join the rooms a reconnecting client was in and send what it missed in each.

        Every room the user holds now (held_rooms) comes back, however many; of the others,
        the MAX_RESUME_ROOMS sent last, which are the newest (a client lists its rooms in the
        order it joined them). The rest are named in "dropped", the ones it may not join in
        "refused", so the client can forget both."""
        wanted = (data or {}).get("last_seq") if isinstance(data, dict) else None
        asked = list(wanted.items()) if isinstance(wanted, dict) else []
        runtime = _runtime()
        user = socket_user()
        held = self.held_rooms(runtime, user)
        others = [(room, last) for room, last in asked if room not in held]
        cut = max(0, len(others) - MAX_RESUME_ROOMS)
        chosen = [(room, last) for room, last in asked if room in held] + others[cut:]
        log = SequencedLog(runtime.redis)
        rooms: dict[str, Any] = {}
        refused = []
        for room, last in chosen:
            if not isinstance(last, int) or not self._rooms.may_join(
                runtime, user, self.namespace, room
            ):
                refused.append(room)
                continue
            join_room(room)
            events, complete = log.since(room, last)
            events = self._rooms.visible_replay(runtime, user, events)
            rooms[room] = {"events": events, "complete": complete, "seq": log.current(room)}
        return {"rooms": rooms, "refused": refused, "dropped": [room for room, _ in others[:cut]]}

    def held_rooms(self, runtime: Runtime, user: User) -> set[str]:
        """Rooms of what the user holds now, resumed whatever their number."""
        return set()

    def on_heartbeat(self, _data: Any = None) -> dict[str, Any]:
        return {"at": time.time()}


class AgentNamespace(_Rooms):
    def __init__(
        self,
        registry: SocketRegistry,
        rooms: RoomPolicy,
        limiter: EventLimiter,
        extensions: Sequence[AgentExtension] = (),
    ) -> None:
        super().__init__(AGENT_NS, registry, rooms, limiter)
        self._extensions = tuple(extensions)
        self._extra = {name: h for ext in self._extensions for name, h in ext.events.items()}

    def event_names(self) -> set[str]:
        return super().event_names() | set(self._extra)

    def _dispatch(self, event: str, *args: Any) -> Any:
        handler = self._extra.get(event)
        if handler is None:
            return super()._dispatch(event, *args)
        # The same dispatch as our own on_* handlers: app and request context, error handling.
        return self.socketio._handle_event(handler, event, self.namespace, *args)

    def on_connect(self, auth: Any = None) -> None:
        from flask_socketio import ConnectionRefusedError as Refused

        user, credential = connecting_user(auth)
        if user.agent is None:
            if not user.has_role(Role.SUPERVISOR):
                raise Refused("forbidden: this account is not an agent")
            # A supervisor may join agent and interaction rooms to monitor them.
            self._opened(user, credential)
            return
        join_room(agent_room(user.agent.id))
        self._opened(user, credential, str(user.agent.id))

    def held_rooms(self, runtime: Runtime, user: User) -> set[str]:
        """The agent's own room and those of the contacts on their desk (ringing, in progress
        or in wrap-up): an agent with capacity for many contacts resumes every one."""
        if user.agent is None:
            return set()
        desk = Desk(runtime.redis).contents(str(user.agent.id))
        contacts = {item["task_id"] for item in desk["offers"] + desk["tasks"] if "task_id" in item}
        return {agent_room(user.agent.id)} | {interaction_room(task_id) for task_id in contacts}

    def on_disconnect(self, *reason: Any) -> None:
        super().on_disconnect(*reason)
        for extension in self._extensions:
            extension.disconnected(_sid())


class SupervisorNamespace(_Rooms):
    def __init__(self, registry: SocketRegistry, rooms: RoomPolicy, limiter: EventLimiter) -> None:
        super().__init__(SUPERVISOR_NS, registry, rooms, limiter)

    def on_connect(self, auth: Any = None) -> None:
        from flask_socketio import ConnectionRefusedError as Refused

        user, credential = connecting_user(auth)
        if not user.has_role(Role.SUPERVISOR):
            raise Refused("forbidden: the supervisor board needs the supervisor role")
        join_room(SUPERVISORS)
        self._opened(user, credential)
