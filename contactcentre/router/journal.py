"""Reading the router's journal and snapshot back: the same engine state, rebuilt exactly.

Used by the router on takeover and by web processes for dry runs and live traces.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis

from contactcentre.router.streams import JOURNAL, SNAPSHOT
from routing import events as ev
from routing.config import RoutingConfig
from routing.engine import Engine

REPLAY_CHUNK = 1000


def load_snapshot(client: redis.Redis) -> tuple[Engine, str] | None:
    raw = client.get(SNAPSHOT)
    if raw is None:
        return None
    data = json.loads(str(raw))
    return Engine.restore(data["engine"]), str(data["journal_id"])


def snapshot_payload(engine: Engine, journal_id: str) -> str:
    return json.dumps(
        {"engine": engine.snapshot(), "journal_id": journal_id}, separators=(",", ":")
    )


def replay(client: redis.Redis, engine: Engine, after: str) -> str:
    """Apply every journal entry after `after` with its recorded time; returns the last id."""
    last = after
    while True:
        entries: Any = client.xrange(JOURNAL, min=f"({last}", max="+", count=REPLAY_CHUNK)
        if not entries:
            return last
        for entry_id, fields in entries:
            for now, event in json.loads(fields["items"]):
                engine.apply(ev.from_dict(event), now)
            last = entry_id


def current_engine(
    client: redis.Redis, config_source: Callable[[], RoutingConfig]
) -> tuple[Engine, str]:
    """The engine as the leader has it now: the snapshot plus the journal since."""
    loaded = load_snapshot(client)
    engine, journal_id = loaded if loaded is not None else (Engine(config_source()), "0-0")
    return engine, replay(client, engine, journal_id)
