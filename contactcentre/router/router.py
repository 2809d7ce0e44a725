"""The router: reads commands, applies them to the engine, commits journal+outbox atomically.

On takeover it restores the snapshot and replays the journal with the recorded times, so the
engine is exactly as the dead leader left it: no task is lost and none is offered twice.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from contactcentre.router import journal, scripts
from contactcentre.router.leader import LeaderLock, Lease
from contactcentre.router.streams import (
    COMMANDS,
    JOURNAL,
    LEADER,
    OUTBOX,
    OUTBOX_MAXLEN,
    ROUTER_CONSUMER,
    ROUTER_GROUP,
    SNAPSHOT,
    WAITING,
)
from routing import effects as fx
from routing import events as ev
from routing import outbox
from routing.config import RoutingConfig
from routing.engine import Engine

log = logging.getLogger(__name__)


# How often the leader looks at its pending list again: every leader reads as the one consumer
# "leader", so a deposed leader's blocking read, answered after the lock changed hands, leaves
# the command it took there, read by nobody and applied by nobody (it is fenced off).
PENDING_CHECK_SECONDS = 1.0


class LostLeadership(RuntimeError):
    """Another router holds the lock now; this one must stop changing anything."""


class Router:
    def __init__(
        self,
        client: redis.Redis,
        config_source: Callable[[], RoutingConfig],
        *,
        clock: Callable[[], float] = time.time,
        lock_ttl_ms: int = 2000,
        max_block_ms: int = 200,
        max_batch: int = 200,
        snapshot_interval: float = 2.0,
        waiting_interval: float = 1.0,
    ) -> None:
        self._redis = client
        self._config_source = config_source
        self._clock = clock
        self.lock = LeaderLock(client, LEADER, lock_ttl_ms)
        self._max_block_ms = max_block_ms
        self._max_batch = max_batch
        self._snapshot_interval = snapshot_interval
        self._commit = client.register_script(scripts.COMMIT)
        self._snapshot = client.register_script(scripts.SNAPSHOT)
        self.engine: Engine | None = None
        self.journal_id = "0-0"
        self._snapshot_id = "0-0"
        self._snapshot_at = 0.0
        self._waiting_interval = waiting_interval
        self._waiting_at = 0.0
        self._read_id = "0"
        self._pending_at = 0.0
        self.is_leader = threading.Event()

    # -- the process loop ----------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Stand by until the lock is free, lead until stopped or fenced off, repeat."""
        while not stop.is_set():
            try:
                acquired = self.lock.acquire()
            except redis.RedisError as exc:
                # Redis restarting: keep standing by (a dead thread would end the process).
                log.warning("router cannot reach Redis (%s); standing by", exc)
                stop.wait(0.5)
                continue
            if not acquired:
                stop.wait(0.1)
                continue
            try:
                # Renewed from its own thread from now on: a replay longer than the TTL must
                # not hand the lock to the standby half-way.
                with Lease(self.lock, self.lock.ttl_ms / 5000) as lease:
                    self.recover()
                    self.is_leader.set()
                    log.info("router is leader (journal at %s)", self.journal_id)
                    self._lead(stop, lease)
            except LostLeadership:
                log.warning("router lost the leader lock; standing by")
            except redis.RedisError as exc:
                log.warning("router lost Redis (%s); standing by", exc)
                stop.wait(0.5)
            finally:
                self.is_leader.clear()
                self.engine = None
                with contextlib.suppress(redis.RedisError):
                    self.lock.release()

    def _lead(self, stop: threading.Event, lease: Lease) -> None:
        while not stop.is_set():
            if lease.lost.is_set():
                raise LostLeadership
            self.step()
        self.save_snapshot()

    # -- recovery ----------------------------------------------------------------------------

    def recover(self) -> None:
        try:
            self._redis.xgroup_create(COMMANDS, ROUTER_GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        loaded = journal.load_snapshot(self._redis)
        if loaded is None:
            self.engine, self.journal_id = Engine(self._config_source()), "0-0"
            # Replays must start from a recorded state, so the very first state is recorded.
            self._snapshot_id = "-"
            self.save_snapshot()
        else:
            self.engine, self.journal_id = loaded
        self.journal_id = journal.replay(self._redis, self.engine, self.journal_id)
        self._snapshot_id = self.journal_id
        # Commands this consumer read but never committed come first (id 0 = our pending list).
        self._read_id = "0"
        config = self._config_source()
        if config.to_dict() != self.engine.config.to_dict():
            self._apply_and_commit([], [ev.ConfigChanged(config)])

    # -- one iteration -------------------------------------------------------------------------

    def step(self) -> int:
        """Read a batch (waiting at most until the next timer), apply, commit. Returns commands."""
        engine = self._engine()
        if self._read_id == ">" and self._clock() - self._pending_at >= PENDING_CHECK_SECONDS:
            # Between our own batches the list is empty unless a deposed leader's read took a
            # command after our recovery looked (a non-blocking read: id 0 never waits).
            self._read_id, self._pending_at = "0", self._clock()
        block = self._block_ms(engine)
        reply: Any = self._redis.xreadgroup(
            ROUTER_GROUP,
            ROUTER_CONSUMER,
            {COMMANDS: self._read_id},
            count=self._max_batch,
            block=block,
        )
        entries = reply[0][1] if reply else []
        if self._read_id == "0" and not entries:
            self._read_id = ">"
        ids: list[str] = []
        events: list[ev.Event] = []
        for command_id, fields in entries:
            ids.append(command_id)
            event = _decode(command_id, fields)
            if event is not None:
                events.append(event)
        deadline = engine.next_deadline()
        if not events and deadline is not None and self._clock() >= deadline:
            events.append(ev.Tick())
        if events or ids:
            self._apply_and_commit(ids, events)
        if self._clock() - self._snapshot_at >= self._snapshot_interval:
            self.save_snapshot()
        if self._clock() - self._waiting_at >= self._waiting_interval:
            self.publish_waiting()
        return len(ids)

    def publish_waiting(self) -> None:
        """Position and estimated wait of every waiting task, for IVR and chat announcements.

        A read-only projection: not journaled, refreshed every second, expiring on its own.
        """
        engine = self._engine()
        self._waiting_at = self._clock()
        pipe = self._redis.pipeline(transaction=False)
        ttl = max(2, math.ceil(self._waiting_interval * 5))
        for queue in engine.config.queues:
            for waiting in engine.waiting(queue.id):
                key = WAITING + waiting.task_id
                ewt = "" if waiting.ewt_seconds is None else round(waiting.ewt_seconds, 1)
                pipe.hset(
                    key,
                    mapping={
                        "queue_id": waiting.queue_id,
                        "position": waiting.position,
                        "ewt_seconds": ewt,
                        "at": self._waiting_at,
                    },
                )
                pipe.expire(key, ttl)
        pipe.execute()

    def _block_ms(self, engine: Engine) -> int | None:
        deadline = engine.next_deadline()
        if deadline is None:
            return self._max_block_ms
        wait = deadline - self._clock()
        if wait <= 0:
            return None  # a timer is due: don't wait for commands at all
        # BLOCK 0 would mean forever, so at least 1 ms.
        return max(1, min(self._max_block_ms, math.ceil(wait * 1000)))

    def _apply_and_commit(self, ids: list[str], events: list[ev.Event]) -> None:
        engine = self._engine()
        items: list[list[Any]] = []
        deliveries: list[dict[str, Any]] = []
        try:
            for event in events:
                now = self._clock()
                produced = engine.apply(event, now)
                items.append([now, event.to_dict()])
                deliveries.extend(_delivery(engine, now, effect) for effect in produced)
        except Exception:
            # The engine may be half-changed: drop the batch's commands (acked, not journaled)
            # and rebuild the engine from the journal, which never saw them.
            log.exception("routing engine failed on a command batch; it is dropped")
            self._commit_batch(ids, [], [])
            self.engine, self.journal_id = journal.current_engine(self._redis, self._config_source)
            return
        self._commit_batch(ids, items, deliveries)

    def _commit_batch(
        self, ids: list[str], items: list[list[Any]], deliveries: list[dict[str, Any]]
    ) -> None:
        items_json = json.dumps(items, separators=(",", ":")) if items else ""
        out_json = json.dumps(deliveries, separators=(",", ":")) if deliveries else ""
        result = self._commit(
            keys=[LEADER, JOURNAL, OUTBOX, COMMANDS],
            args=[self.lock.token, items_json, out_json, ROUTER_GROUP, OUTBOX_MAXLEN, *ids],
        )
        if result is None:
            raise LostLeadership
        if result:
            self.journal_id = str(result)

    def save_snapshot(self) -> None:
        engine = self._engine()
        self._snapshot_at = self._clock()
        if self.journal_id == self._snapshot_id:
            return
        payload = journal.snapshot_payload(engine, self.journal_id)
        if not self._snapshot(
            keys=[LEADER, SNAPSHOT, JOURNAL], args=[self.lock.token, payload, self.journal_id]
        ):
            raise LostLeadership
        self._snapshot_id = self.journal_id

    def _engine(self) -> Engine:
        if self.engine is None:
            raise LostLeadership
        return self.engine


def _decode(command_id: str, fields: dict[str, str] | None) -> ev.Event | None:
    if not fields or "event" not in fields:
        return None
    try:
        return ev.from_dict(json.loads(fields["event"]))
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("routing command %s refused: %s", command_id, exc)
        return None


def _delivery(engine: Engine, now: float, effect: fx.Effect) -> dict[str, Any]:
    """An effect as the publisher gets it: when, what, and the trace of the decision."""
    trace: list[dict[str, Any]] = []
    task_id = fx.task_of(effect)
    trace_id = getattr(effect, "trace_id", "")
    if trace_id and task_id:
        trace = [e.to_dict() for e in engine.trace(task_id) if e.trace_id == trace_id]
    return outbox.to_wire(now, effect, trace)
