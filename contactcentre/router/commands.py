"""Appending routing commands: the only way web processes and webhooks affect routing.

An append is one XADD; the router applies commands in stream order.
"""

from __future__ import annotations

import json

import redis

from contactcentre.router.streams import COMMANDS, COMMANDS_MAXLEN
from routing import events as ev


class RoutingCommands:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def send(self, event: ev.Event) -> str:
        """Queue an event for the router; returns the stream id."""
        fields = {"event": json.dumps(event.to_dict(), separators=(",", ":"))}
        return str(self._redis.xadd(COMMANDS, fields, maxlen=COMMANDS_MAXLEN, approximate=True))  # type: ignore[arg-type]
