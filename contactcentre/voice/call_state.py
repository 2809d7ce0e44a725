"""The live state of each call in Redis: which legs belong to which interaction, where the call
is (ivr, queued, connected, ...) and its conference flags. Rebuildable from Twilio; short TTL."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol

import redis

CALL_KEY = "cc:voice:call:"  # + interaction id -> hash of LiveCall fields
LEG_KEY = "cc:voice:leg:"  # + CallSid -> "interaction_id|role"
# "interaction_id|reservation" scored by when its agent leg must have shown itself: a leg asked
# of the carrier that never calls back by then was never created (see agent_legs).
AGENT_LEGS_DUE = "cc:voice:agent-legs-due"
# Interaction ids of calls not yet live (ivr, queued, connecting), scored by when they last
# moved: one that stops moving may have lost its news with a dying process (see reconcile).
UNSETTLED = "cc:voice:unsettled"
TTL_SECONDS = 24 * 3600

# Phases of a call as the voice channel sees it.
IVR, QUEUED, CALLBACK, CONNECTING, CONNECTED, TRANSFERRING, ENDED = (
    "ivr",
    "queued",
    "callback",
    "connecting",
    "connected",
    "transferring",
    "ended",
)
LIVE = (CONNECTED, TRANSFERRING)  # an agent and the customer are in the call's conference
PRE_LIVE = frozenset({IVR, QUEUED, CONNECTING})  # on its way to an agent: it must keep moving


@dataclass
class LiveCall:
    """Strings and numbers only, so it maps onto a Redis hash without a schema."""

    interaction_id: str
    phase: str = IVR
    direction: str = "inbound"
    customer_sid: str = ""
    customer_number: str = ""  # dialable address for callbacks and click-to-dial (PII, TTL)
    agent_id: str = ""
    agent_sid: str = ""
    conference: str = ""
    conference_sid: str = ""
    consult_sid: str = ""
    consult_agent_id: str = ""
    on_hold: int = 0
    muted: int = 0
    recording_sid: str = ""
    language: str = "en"
    queued_at: float = 0.0
    answered_at: float = 0.0
    last_announced: float = 0.0
    callback: int = 0
    answered_by: str = ""  # Twilio's AMD verdict on a dialled customer leg
    routed: int = 1  # 0 for click-to-dial: no routing task, so the call logs its own end
    dialling: str = ""  # the reservation whose agent leg was asked for and not yet seen
    dialling_agent: str = ""  # ... and the agent it rings
    version: int = 0  # +1 on every change an agent sees (WATCHED), so stale news can be told

    @property
    def conference_ref(self) -> str:
        """Twilio wants the conference sid for updates; the name works until we learn it."""
        return self.conference_sid or self.conference


# What the agent's call bar shows depends on these fields; a change to any is news for them.
WATCHED = frozenset(
    {
        "phase",
        "on_hold",
        "muted",
        "recording_sid",
        "agent_id",
        "agent_sid",
        "customer_sid",
        "consult_sid",
        "consult_agent_id",
    }
)


def conference_name(interaction_id: str) -> str:
    return f"cc-{interaction_id}"


class CallWatcher(Protocol):
    """Told of every change to a call's WATCHED fields, with the call as that change left it."""

    def changed(self, call: LiveCall, agent_before: str) -> None:
        """agent_before: the call's agent before the change (another one after a transfer)."""
        ...


class CallStore:
    def __init__(
        self,
        client: redis.Redis,
        watcher: CallWatcher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._watcher = watcher
        self._clock = clock

    def get(self, interaction_id: str) -> LiveCall | None:
        data: Any = self._redis.hgetall(CALL_KEY + interaction_id)
        return _parse(interaction_id, data) if data else None

    def put(self, call: LiveCall) -> None:
        # The version only ever rises, even over a call written afresh (a callback's new leg).
        values = {k: v for k, v in asdict(call).items() if k != "version"}
        self._write(call.interaction_id, values)

    def update(self, interaction_id: str, **changes: str | int | float) -> None:
        self._write(interaction_id, dict(changes))

    def _write(self, interaction_id: str, values: dict[str, Any]) -> None:
        key = CALL_KEY + interaction_id
        watched = not WATCHED.isdisjoint(values)
        # One transaction: the version and the state read back are this change's own, even when
        # two webhooks change the same call at once.
        pipe = self._redis.pipeline()
        if watched:
            pipe.hget(key, "agent_id")
        pipe.hset(key, mapping=values)  # type: ignore[arg-type]
        if watched:
            pipe.hincrby(key, "version", 1)
            pipe.hgetall(key)
        pipe.expire(key, TTL_SECONDS)
        if "phase" in values:
            if values["phase"] in PRE_LIVE:
                pipe.zadd(UNSETTLED, {interaction_id: self._clock()})
            else:
                pipe.zrem(UNSETTLED, interaction_id)
        replies = pipe.execute()
        if watched and self._watcher is not None:
            agent_before, _set, _version, after, _ttl = replies[:5]
            self._watcher.changed(_parse(interaction_id, after), agent_before or "")

    def moved(self, interaction_id: str) -> None:
        """The call made progress (an IVR answer, a round of queue music): not stuck."""
        self._redis.zadd(UNSETTLED, {interaction_id: self._clock()}, xx=True)

    def unsettled(self, still_since: float) -> list[str]:
        """Calls not yet live that have not moved since `still_since` (oldest first)."""
        due: Any = self._redis.zrangebyscore(UNSETTLED, "-inf", still_since, start=0, num=100)
        return [str(item) for item in due]

    def settled(self, interaction_id: str) -> None:
        self._redis.zrem(UNSETTLED, interaction_id)

    def claim(self, interaction_id: str, field: str) -> bool:
        """True only for the first caller: a one-shot flag (e.g. 'agent leg dialled')."""
        return bool(self._redis.hsetnx(CALL_KEY + interaction_id, "once:" + field, "1"))

    def expect_agent_leg(self, interaction_id: str, reservation: str, by: float) -> None:
        self._redis.zadd(AGENT_LEGS_DUE, {f"{interaction_id}|{reservation}": by})

    def agent_leg_seen(self, interaction_id: str, reservation: str) -> None:
        self._redis.zrem(AGENT_LEGS_DUE, f"{interaction_id}|{reservation}")

    def agent_legs_due(self, now: float) -> list[tuple[str, str]]:
        due: Any = self._redis.zrangebyscore(AGENT_LEGS_DUE, "-inf", now, start=0, num=100)
        return [tuple(str(item).split("|", 1)) for item in due]  # type: ignore[misc]

    def link_leg(self, call_sid: str, interaction_id: str, role: str) -> None:
        self._redis.set(LEG_KEY + call_sid, f"{interaction_id}|{role}", ex=TTL_SECONDS)

    def leg(self, call_sid: str) -> tuple[str, str] | None:
        """(interaction id, role) of a leg: customer, agent, consult or callback."""
        value: Any = self._redis.get(LEG_KEY + call_sid) if call_sid else None
        if not value:
            return None
        interaction_id, _, role = str(value).partition("|")
        return interaction_id, role


def _parse(interaction_id: str, data: dict[str, str]) -> LiveCall:
    known = {f.name: f.type for f in fields(LiveCall)}
    values: dict[str, Any] = {"interaction_id": interaction_id}
    for name, raw in data.items():
        kind = known.get(name)
        if kind is None:
            continue  # one-shot claims ("once:...") and fields of another version
        values[name] = int(raw) if kind == "int" else float(raw) if kind == "float" else raw
    return LiveCall(**values)
