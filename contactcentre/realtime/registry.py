"""This process's console sockets, vouched for in Redis every few seconds while any is open.

Two records: agents' presence (the disconnect sweeper reads it) and each user's sockets.
"""

from __future__ import annotations

import logging
import threading
import time

from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.presence import Presence
from contactcentre.realtime.user_sockets import UserSocket, UserSockets

log = logging.getLogger(__name__)


class SocketRegistry:
    def __init__(self, runtime: Runtime, interval: float) -> None:
        self.presence = Presence(runtime.redis)
        self.user_sockets = UserSockets(runtime.redis, runtime.settings.realtime_grace_seconds)
        self._sockets: dict[str, tuple[UserSocket, str | None]] = {}  # sid -> (socket, agent)
        self._lock = threading.Lock()
        self._interval = interval
        self._thread: threading.Thread | None = None

    def add(self, socket: UserSocket, agent_id: str | None = None) -> None:
        """`agent_id`: the socket is that agent's console, which counts for their presence."""
        with self._lock:
            self._sockets[socket.sid] = (socket, agent_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._refresh, name="socket-presence", daemon=True
                )
                self._thread.start()
        now = time.time()
        self.user_sockets.opened(socket, now)
        if agent_id is not None:
            self.presence.connected(agent_id, socket.sid, now)

    def remove(self, sid: str) -> None:
        with self._lock:
            found = self._sockets.pop(sid, None)
        if found is None:
            return
        socket, agent_id = found
        self.user_sockets.closed(socket)
        if agent_id is not None:
            self.presence.disconnected(agent_id, sid, time.time())

    def socket(self, sid: str) -> UserSocket | None:
        with self._lock:
            found = self._sockets.get(sid)
        return found[0] if found else None

    def _refresh(self) -> None:
        while True:
            time.sleep(self._interval)
            with self._lock:
                sockets = dict(self._sockets)
                if not sockets:
                    self._thread = None
                    return
            try:
                now = time.time()
                agents = {sid: agent for sid, (_, agent) in sockets.items() if agent is not None}
                self.presence.refresh(agents, now)
                self.user_sockets.refresh((socket for socket, _ in sockets.values()), now)
            except Exception:  # Redis blips must not kill the refresher
                log.exception("could not refresh socket presence")
