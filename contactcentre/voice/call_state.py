"""The live state of each call in Redis: which legs belong to which interaction, where the call
is (ivr, queued, connected, ...) and its conference flags. Rebuildable from Twilio; short TTL."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import redis

CALL_KEY = "cc:voice:call:"  # + interaction id -> hash of LiveCall fields
LEG_KEY = "cc:voice:leg:"  # + CallSid -> "interaction_id|role"
# "interaction_id|reservation" scored by when its agent leg must have shown itself: a leg asked
# of the carrier that never calls back by then was never created (see agent_legs).
AGENT_LEGS_DUE = "cc:voice:agent-legs-due"
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

    @property
    def conference_ref(self) -> str:
        """Twilio wants the conference sid for updates; the name works until we learn it."""
        return self.conference_sid or self.conference


def conference_name(interaction_id: str) -> str:
    return f"cc-{interaction_id}"


class CallStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def get(self, interaction_id: str) -> LiveCall | None:
        data: Any = self._redis.hgetall(CALL_KEY + interaction_id)
        if not data:
            return None
        known = {f.name: f.type for f in fields(LiveCall)}
        values: dict[str, Any] = {}
        for name, raw in data.items():
            kind = known.get(name)
            if kind is None:
                continue
            values[name] = int(raw) if kind == "int" else float(raw) if kind == "float" else raw
        return LiveCall(**values)

    def put(self, call: LiveCall) -> None:
        key = CALL_KEY + call.interaction_id
        pipe = self._redis.pipeline()
        pipe.hset(key, mapping={k: v for k, v in asdict(call).items()})
        pipe.expire(key, TTL_SECONDS)
        pipe.execute()

    def update(self, interaction_id: str, **changes: str | int | float) -> None:
        key = CALL_KEY + interaction_id
        pipe = self._redis.pipeline()
        pipe.hset(key, mapping=dict(changes))  # type: ignore[arg-type]
        pipe.expire(key, TTL_SECONDS)
        pipe.execute()

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
