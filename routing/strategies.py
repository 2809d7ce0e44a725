"""Agent ordering strategies: the sort key each queue ranks its free agents by, and the pick.

Keys end with agent_id so ties always break the same way, on every replay.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from typing import Any, Final

from routing.state import AgentRecord

AgentKey = tuple[Any, ...]
RANDOM_TRIES: Final = 32
MAX_LEVEL: Final = 10
NEEDED_SCAN: Final = 8  # least_needed compares at most this many acceptable free agents
NOT_NEEDED: Final = 1 << 30  # spare() of an agent who serves no other queue


def skill_level(agent: AgentRecord, skill: str | None) -> int:
    return agent.skills.get(skill, 0) if skill else 0


def agent_key(strategy: str, agent: AgentRecord, skill: str | None) -> AgentKey:
    """Lower sorts first. Keys only change when the agent's own record changes."""
    if strategy in ("longest_idle", "least_needed"):
        return (agent.idle_since, agent.agent_id)
    if strategy == "most_skilled":
        return (-skill_level(agent, skill), agent.idle_since, agent.agent_id)
    if strategy == "fewest_handled":
        return (agent.handled_today, agent.idle_since, agent.agent_id)
    # round_robin walks agent ids in order; weighted_random samples from them.
    return (agent.agent_id,)


def describe(strategy: str, key: AgentKey) -> str:
    if strategy == "longest_idle":
        return f"longest idle (idle since {key[0]:g})"
    if strategy == "most_skilled":
        return f"most skilled (level {-key[0]}, idle since {key[1]:g})"
    if strategy == "fewest_handled":
        return f"fewest handled today ({key[0]}, idle since {key[1]:g})"
    if strategy == "least_needed":
        return f"least needed by its other queues, then longest idle (idle since {key[0]:g})"
    if strategy == "round_robin":
        return "round robin (next agent id after the queue's pointer)"
    return "weighted random (weight = skill level)"


Acceptable = Callable[[str], bool]


def choose(
    strategy: str,
    ranked: list[AgentKey],
    acceptable: Acceptable,
    *,
    rng: random.Random,
    pointer: str,
    weight: Callable[[str], int],
    spare: Callable[[str], int] | None = None,
) -> tuple[AgentKey | None, list[str]]:
    """Pick the winning key from `ranked` (sorted), skipping agents `acceptable` refuses.

    Returns the winner (or None) and the refused agent ids it walked past, for the trace.
    least_needed takes, among the first NEEDED_SCAN acceptable agents, the one with the most
    `spare` (free agents left for its other queues without it); ties go to the earlier key.
    """
    skipped: list[str] = []
    if not ranked:
        return None, skipped
    if strategy == "least_needed" and spare is not None:
        return _least_needed(ranked, acceptable, spare, skipped), skipped
    if strategy == "round_robin":
        start = bisect.bisect_right(ranked, (pointer,))
        order = ranked[start:] + ranked[:start]
    elif strategy == "weighted_random":
        return _weighted(ranked, acceptable, rng, weight), skipped
    else:
        order = ranked
    for key in order:
        agent_id = key[-1]
        if acceptable(agent_id):
            return key, skipped
        skipped.append(agent_id)
    return None, skipped


def _least_needed(
    ranked: list[AgentKey],
    acceptable: Acceptable,
    spare: Callable[[str], int],
    skipped: list[str],
) -> AgentKey | None:
    # Bounded scan: the longest-idle few are compared, never the whole floor.
    best: AgentKey | None = None
    most = -1
    looked = 0
    for key in ranked:
        agent_id = key[-1]
        if not acceptable(agent_id):
            skipped.append(agent_id)
            continue
        left = spare(agent_id)
        if left > most:
            best, most = key, left
        looked += 1
        if looked >= NEEDED_SCAN or most >= NOT_NEEDED:
            break
    return best


def _weighted(
    ranked: list[AgentKey], acceptable: Acceptable, rng: random.Random, weight: Callable[[str], int]
) -> AgentKey | None:
    # Rejection sampling keeps a pick O(1) in the pool size: draw uniformly, keep with
    # probability weight / 10. Rarely (many refusals) fall back to an exact linear draw.
    size = len(ranked)
    for _ in range(RANDOM_TRIES):
        key = ranked[rng.randrange(size)]
        if acceptable(key[-1]) and rng.random() * MAX_LEVEL < weight(key[-1]):
            return key
    allowed = [(key, weight(key[-1])) for key in ranked if acceptable(key[-1])]
    if not allowed:
        return None
    point = rng.random() * sum(w for _, w in allowed)
    for key, w in allowed:
        point -= w
        if point < 0:
            return key
    return allowed[-1][0]
