"""The Socket.IO message queue on Redis, with a listener that stops when the app closes and
that, subscribed again after losing Redis, tells this process's sockets to resync.

python-socketio's listener retries for ever: a closed app (a test, a web process shutting down)
left it logging "Cannot receive from redis" into closed streams once Redis went away. And
pub/sub keeps nothing for a subscriber that is away: whatever was published meanwhile (an offer,
a chat message) never reached its socket, which had no gap to notice and stayed connected.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import socketio

_EXITED = "pubsub listen() exited unexpectedly"
# Sent to every socket of this process once its listener is subscribed again: what it may have
# missed is in its rooms' logs (consoles resume with their last numbers, the widget reconnects).
RESYNC_EVENT = "resync"
RESYNC_NAMESPACES = ("/agent", "/supervisor", "/chat")
MAX_RETRY_SECONDS = 5.0


class ClosableRedisManager(socketio.RedisManager):  # type: ignore[misc]  # untyped library
    """A RedisManager (also for unix:// URLs, which Flask-SocketIO would hand to Kombu) whose
    listening thread ends on close() instead of retrying."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel=channel)
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()
        pubsub = getattr(self, "pubsub", None)
        if pubsub is not None:
            with contextlib.suppress(Exception):  # it may be mid-read; the loop sees _closed
                pubsub.close()

    def initialize(self) -> None:
        # The library logs an error when its listener ends, which ours does only once closed.
        logging.getLogger("socketio.server").addFilter(_drop_closed_listener_notice)
        self.server.logger.addFilter(_drop_closed_listener_notice)
        super().initialize()

    def _listen(self) -> Iterator[Any]:
        """The library's, without its UNSUBSCRIBE once the listener ends: that ends only on close,
        whose pub/sub connection is gone already; unsubscribing opened a new one, and where Redis
        was away (or the ACL user removed) it raised, and the library's thread, catching that,
        started listening again at once: a busy loop logging a traceback per turn."""
        channel = self.channel.encode("utf-8")
        for message in self._redis_listen_with_retries():
            if message["channel"] == channel and message["type"] == "message" and "data" in message:
                yield message["data"]

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        retry_sleep = 1.0
        lost = False
        while not self._closed.is_set():
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                retry_sleep = 1.0
                if lost:
                    lost = False
                    self._resync_sockets()
                yield from self.pubsub.listen()
            except Exception as exc:
                if self._closed.is_set():
                    return
                lost = True
                self._get_logger().error(
                    "Cannot receive from redis... retrying in %s secs (%s)", retry_sleep, exc
                )
                self._closed.wait(retry_sleep)
                retry_sleep = min(retry_sleep * 2, MAX_RETRY_SECONDS)
            else:
                time.sleep(0)  # listen() ended without an error: resubscribe

    def _resync_sockets(self) -> None:
        """Every socket of this process, not every process's: each listener speaks for its own."""
        for namespace in RESYNC_NAMESPACES:
            if namespace not in self.rooms:
                continue
            try:
                self.emit(RESYNC_EVENT, {"why": "message queue reconnected"}, namespace=namespace,
                          ignore_queue=True)  # fmt: skip
            except Exception:  # a socket closing meanwhile must not end the listener
                self._get_logger().exception("could not tell %s sockets to resync", namespace)


def _drop_closed_listener_notice(record: logging.LogRecord) -> bool:
    return record.getMessage() != _EXITED
