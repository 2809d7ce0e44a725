"""Whether a chat's customer is still there: each web process vouches in Redis for the
conversations it holds /chat sockets of; the router leader ends those nobody vouched for lately.

Vouching (rather than counting connects and disconnects) keeps a conversation whose web process
died from staying "present" for ever: a dead process simply stops vouching.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from contactcentre.chat.socket_caps import ChatSocketCounts, CustomerSocket
from contactcentre.platform.runtime import Runtime

log = logging.getLogger(__name__)
SEEN = "cc:chat:seen"  # zset {conversation id: last time a socket of it was alive, or its start}
SWEEP_BATCH = 100

# Take a conversation off SEEN only if nobody vouched for it since the sweep read it.
_CLAIM = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class Visitor:
    """What a /chat socket speaks for."""

    conversation_id: str
    interaction_id: str
    visitor_id: str


def seen(client: redis.Redis, conversation_ids: Iterable[str], now: float) -> None:
    """The customer of each conversation was there at `now` (never moves a mark back)."""
    marks = {conversation_id: now for conversation_id in conversation_ids}
    if marks:
        client.zadd(SEEN, marks, gt=True)


class CustomerSockets:
    """This process's /chat sockets, vouched for in Redis every `interval` seconds while any
    is open; a disconnect marks the moment the abandon clock starts from. With `counts`, each
    socket is also counted against its conversation's and address's caps (chat.socket_caps)."""

    def __init__(
        self, client: redis.Redis, interval: float, counts: ChatSocketCounts | None = None
    ) -> None:
        self._redis = client
        self._interval = interval
        self._counts = counts
        self._lock = threading.Lock()
        self._sockets: dict[str, tuple[Visitor, CustomerSocket]] = {}
        self._thread: threading.Thread | None = None

    def add(self, sid: str, visitor: Visitor, address: str = "unknown") -> str | None:
        """Hold the socket; or, holding nothing, the cap it would pass ("conversation" or
        "address")."""
        socket = CustomerSocket(sid, visitor.conversation_id, address)
        if self._counts is not None:
            full = self._counts.admit(socket, time.time())
            if full is not None:
                return full
        with self._lock:
            self._sockets[sid] = (visitor, socket)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._vouch, name="chat-presence", daemon=True
                )
                self._thread.start()
        seen(self._redis, [visitor.conversation_id], time.time())
        return None

    def remove(self, sid: str) -> Visitor | None:
        with self._lock:
            found = self._sockets.pop(sid, None)
        if found is None:
            return None
        visitor, socket = found
        seen(self._redis, [visitor.conversation_id], time.time())
        if self._counts is not None:
            self._counts.release(socket)
        return visitor

    def get(self, sid: str) -> Visitor | None:
        with self._lock:
            found = self._sockets.get(sid)
        return found[0] if found else None

    def _vouch(self) -> None:
        while True:
            time.sleep(self._interval)
            with self._lock:
                held = list(self._sockets.values())
                if not held:
                    self._thread = None
                    return
            try:
                now = time.time()
                seen(self._redis, {v.conversation_id for v, _ in held}, now)
                if self._counts is not None:
                    self._counts.refresh((s for _, s in held), now)
            except Exception:  # a Redis blip must not stop the vouching for good
                log.exception("could not vouch for chat customers")


def vouch_interval(runtime: Runtime) -> float:
    """Often enough that a connected customer is never near the abandon limit."""
    settings = runtime.settings
    return min(settings.heartbeat_seconds, settings.chat_abandon_seconds / 4)


def sweep_abandoned(runtime: Runtime, away_seconds: float, now: float | None = None) -> list[str]:
    """End open conversations whose customer nobody vouched for in `away_seconds` (closed as
    "timeout": customer_left, canceled while queued, completed while active); returns their ids.

    Run on the router leader, see contactcentre/processes/router.py.
    """
    from contactcentre.chat.conversations import OPEN_STATUSES, chat_service
    from contactcentre.store.models import ChatConversation

    client = runtime.redis
    cutoff = (now if now is not None else time.time()) - away_seconds
    due: Any = client.zrangebyscore(SEEN, "-inf", cutoff, start=0, num=SWEEP_BATCH)
    claim = client.register_script(_CLAIM)
    service = chat_service(runtime)
    ended = []
    for conversation_id in due:
        if not claim(keys=[SEEN], args=[conversation_id, cutoff]):
            continue  # vouched for meanwhile, or another sweeper took it
        with runtime.db.session() as session:
            conversation = session.get(ChatConversation, conversation_id)
            still_open = conversation is not None and conversation.status in OPEN_STATUSES
        if not still_open:
            continue
        try:
            service.close(conversation_id, by="timeout")
        except Exception:
            seen(client, [conversation_id], cutoff)  # back on the list: the next sweep retries
            raise
        ended.append(conversation_id)
    return ended
