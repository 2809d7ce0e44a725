"""Puts agents offline once their console has been gone longer than the grace period.

Runs beside the router (acting only while it leads), so one process decides for all web processes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis

from contactcentre.realtime.presence import Presence
from contactcentre.router.client import RoutingClient
from routing import events as ev

log = logging.getLogger(__name__)
DISCONNECTED = "disconnected"


class DisconnectSweeper:
    def __init__(
        self,
        client: redis.Redis,
        grace_seconds: float,
        *,
        active: Callable[[], bool] = lambda: True,
        interval: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._presence = Presence(client)
        self._routing = RoutingClient(client)
        self._grace = grace_seconds
        self._active = active
        self._interval = interval
        self._clock = clock

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self._interval):
            if not self._active():
                continue
            try:
                self.sweep()
            except redis.RedisError as exc:
                log.warning("disconnect sweeper lost Redis (%s); retrying", exc)

    def sweep(self) -> list[str]:
        """Sign out every overdue agent with no live socket; returns who was signed out."""
        now = self._clock()
        signed_out = []
        for agent_id in self._presence.overdue(now, self._grace):
            if self._presence.live_connections(agent_id, now, self._grace):
                self._presence.seen(agent_id, now)  # still connected; a refresh was just late
                continue
            self._presence.forget(agent_id)
            if self._routing.agent_state(int(agent_id))["state"] != "offline":
                # Offline rescinds ringing offers, so they move on to someone who is there.
                self._routing.commands.send(
                    ev.AgentStateRequested(agent_id, "offline", DISCONNECTED)
                )
                signed_out.append(agent_id)
                log.info("agent %s offline: console gone for %.0f s", agent_id, self._grace)
        return signed_out
