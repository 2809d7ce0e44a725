"""An event emitted to a room at most once, whoever tries and however often: a marker key and
the emit in one Redis transaction, watched, so a sender killed after the emit (before its SQL
row says sent) or a second sender at the same moment sends nothing more."""

from __future__ import annotations

from typing import Any

import redis
from redis.exceptions import WatchError

from contactcentre.realtime.emitter import RealtimeEmitter

SENT_TTL_SECONDS = 7 * 86_400  # markers outlive any retry; alerts are sent within seconds


def emit_once(
    client: redis.Redis,
    emitter: RealtimeEmitter,
    marker: str,
    *,
    room: str,
    event: str,
    data: dict[str, Any],
) -> bool:
    """Emit unless `marker` says it went out already; True when this call sent it."""
    # Loaded outside the transaction: inside it a missing script would fail the emit alone
    # while the marker is still set.
    client.script_load(emitter.log.script.script)
    with client.pipeline(transaction=True) as pipe:
        try:
            pipe.watch(marker)  # type: ignore[no-untyped-call]
            if pipe.exists(marker):
                return False
            pipe.multi()
            pipe.set(marker, "1", ex=SENT_TTL_SECONDS)
            emitter.emit_batch([(room, event, data)], pipe=pipe)
        except WatchError:  # another sender sent it between our look and our send
            return False
    return True
