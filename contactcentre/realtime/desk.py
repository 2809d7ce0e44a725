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

# KEYS[1]: the task's agent key; ARGV: desk key prefix, task id -> {agent id, task record}
_TASK_OF_AGENT = """
local agent = redis.call('GET', KEYS[1])
if not agent then return false end
return {agent, redis.call('HGET', ARGV[1] .. agent, 'task:' .. ARGV[2])}
"""


class Desk:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._task_of_agent = client.register_script(_TASK_OF_AGENT)

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

    def read_many(
        self, offers: list[tuple[str, str]], task_ids: list[str]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[str, dict[str, Any] | None]]]:
        """Ringing offers by (agent, reservation), and each task's agent and record, at once.

        Returns ({reservation id: offer}, {task id: (agent id, task record or None)}); tasks
        never offered to anyone are left out.
        """
        pipe = self._redis.pipeline(transaction=False)
        for agent_id, reservation_id in offers:
            pipe.hget(DESK + agent_id, f"offer:{reservation_id}")
        for task_id in task_ids:
            self._task_of_agent(keys=[TASK_AGENT + task_id], args=[DESK, task_id], client=pipe)
        replies = pipe.execute()
        found_offers = {
            rid: json.loads(raw)
            for (_agent, rid), raw in zip(offers, replies[: len(offers)], strict=True)
            if raw is not None
        }
        found_tasks: dict[str, tuple[str, dict[str, Any] | None]] = {}
        for task_id, reply in zip(task_ids, replies[len(offers) :], strict=True):
            if reply:
                agent_id, raw = reply[0], reply[1] if len(reply) > 1 else None
                found_tasks[task_id] = (str(agent_id), None if raw is None else json.loads(raw))
        return found_offers, found_tasks

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
