"""IVR sessions between webhooks: the engine's JSON state in Redis, keyed by CallSid, with a
step counter so an answer to an old question (a late retry) is told apart from the current one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import redis

SESSION_KEY = "cc:voice:ivr:"
TTL_SECONDS = 4 * 3600


@dataclass(frozen=True)
class IvrSession:
    call_sid: str
    interaction_id: str
    step: int
    state: dict[str, Any]
    logged: int = 0  # path entries already written to the event log
    twiml: str = ""  # the current question, answered again to a late duplicate


class IvrSessionStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def get(self, call_sid: str) -> IvrSession | None:
        raw: Any = self._redis.get(SESSION_KEY + call_sid)
        if not raw:
            return None
        data = json.loads(raw)
        return IvrSession(
            call_sid,
            data["interaction_id"],
            int(data["step"]),
            data["state"],
            int(data["logged"]),
            data.get("twiml", ""),
        )

    def put(self, session: IvrSession) -> None:
        body = {
            "interaction_id": session.interaction_id,
            "step": session.step,
            "state": session.state,
            "logged": session.logged,
            "twiml": session.twiml,
        }
        self._redis.set(SESSION_KEY + session.call_sid, json.dumps(body), ex=TTL_SECONDS)

    def delete(self, call_sid: str) -> None:
        self._redis.delete(SESSION_KEY + call_sid)
