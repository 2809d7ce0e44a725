"""A command a deposed leader's last read took is applied by the new leader: the read put it
in the consumer's pending list after the new leader had looked there, and nobody else would
ever read it again (the fault suite's Redis restart lost an agent's accept that way)."""

from __future__ import annotations

import json
from typing import Any

from contactcentre.router.commands import RoutingCommands
from contactcentre.router.router import PENDING_CHECK_SECONDS, Router
from contactcentre.router.streams import COMMANDS, OUTBOX, ROUTER_CONSUMER, ROUTER_GROUP
from routing import events as ev
from routing.config import Queue, RoutingConfig


def _config() -> RoutingConfig:
    return RoutingConfig(queues=[Queue("support")], plans=[])


def _effects(redis_client: Any) -> list[dict[str, Any]]:
    return [
        d["effect"]
        for _id, fields in redis_client.xrange(OUTBOX)
        for d in json.loads(fields["effects"])
    ]


def _kinds(redis_client: Any) -> list[str]:
    return [effect["kind"] for effect in _effects(redis_client)]


def test_a_command_read_by_a_deposed_leader_is_applied(redis_client: Any) -> None:
    """The old leader's blocking read returns the command after it lost the lock (it commits
    nothing: fenced); the new leader, already past its recovery, still applies it."""
    now = [1_000.0]
    leader = Router(redis_client, _config, clock=lambda: now[0], max_block_ms=10)
    assert leader.lock.acquire()
    leader.recover()
    leader.step()  # its own pending list was empty: new commands only from here
    commands = RoutingCommands(redis_client)
    commands.send(ev.AgentSignedIn("a1"))
    for _ in range(5):
        if "agent_state_changed" in _kinds(redis_client):
            break
        leader.step()
    assert "agent_state_changed" in _kinds(redis_client)
    commands.send(ev.TaskSubmitted("t1", attributes={"queue_id": "support"}))
    # The deposed leader's read, under the consumer name every leader shares.
    taken = redis_client.xreadgroup(ROUTER_GROUP, ROUTER_CONSUMER, {COMMANDS: ">"}, count=1)
    assert taken and taken[0][1], "the stray read took nothing"
    for _ in range(6):
        now[0] += PENDING_CHECK_SECONDS / 2
        leader.step()
    # Applied: the router decided about t1 (with no plan, it leaves at once).
    assert any(effect.get("task_id") == "t1" for effect in _effects(redis_client))
    assert redis_client.xpending(COMMANDS, ROUTER_GROUP)["pending"] == 0
