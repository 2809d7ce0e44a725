"""Each agent's desk in Redis: offers ringing now and contacts in progress or in wrap-up.

The notifier keeps it; a console that loads (or reloads) starts from it, then follows events.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from contactcentre.realtime.rooms import KEY_PREFIX

DESK = KEY_PREFIX + "desk:"  # + agent id -> {"offer:<rid>": json, "task:<tid>": json}
TASK_AGENT = KEY_PREFIX + "task:"  # + task id -> agent id the task is offered or assigned to
TASK_TTL_SECONDS = 86_400


class Desk:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    # -- writes (the notifier) ---------------------------------------------------------------

    def offer(self, pipe: Any, offer: dict[str, Any]) -> None:
        agent_id = str(offer["agent_id"])
        pipe.hset(DESK + agent_id, f"offer:{offer['reservation_id']}", _dump(offer))
        pipe.set(TASK_AGENT + offer["task_id"], agent_id, ex=TASK_TTL_SECONDS)

    def offer_closed(self, pipe: Any, agent_id: str, reservation_id: str) -> None:
        pipe.hdel(DESK + agent_id, f"offer:{reservation_id}")

    def task(self, pipe: Any, agent_id: str, task: dict[str, Any]) -> None:
        pipe.hset(DESK + agent_id, f"task:{task['task_id']}", _dump(task))
        pipe.set(TASK_AGENT + task["task_id"], agent_id, ex=TASK_TTL_SECONDS)

    def task_done(self, agent_id: str, task_id: str) -> None:
        """The agent finished wrap-up: the contact leaves the desk."""
        self._redis.hdel(DESK + agent_id, f"task:{task_id}")

    # -- reads -------------------------------------------------------------------------------

    def agent_of(self, task_id: str) -> str | None:
        value: Any = self._redis.get(TASK_AGENT + task_id)
        return None if value is None else str(value)

    def get_task(self, agent_id: str, task_id: str) -> dict[str, Any] | None:
        raw: Any = self._redis.hget(DESK + agent_id, f"task:{task_id}")
        return None if raw is None else dict(json.loads(raw))

    def contents(self, agent_id: str) -> dict[str, list[dict[str, Any]]]:
        raw: Any = self._redis.hgetall(DESK + agent_id)
        offers: list[dict[str, Any]] = []
        tasks: list[dict[str, Any]] = []
        for field, value in sorted(raw.items()):
            (offers if field.startswith("offer:") else tasks).append(json.loads(value))
        return {"offers": offers, "tasks": sorted(tasks, key=lambda t: t.get("since") or 0)}

    def current_tasks(self, agent_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Contacts in progress per agent, for the supervisor's board (one round trip)."""
        pipe = self._redis.pipeline(transaction=False)
        for agent_id in agent_ids:
            pipe.hgetall(DESK + agent_id)
        found: dict[str, list[dict[str, Any]]] = {}
        for agent_id, raw in zip(agent_ids, pipe.execute(), strict=True):
            found[agent_id] = [json.loads(v) for k, v in raw.items() if k.startswith("task:")]
        return found


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)
