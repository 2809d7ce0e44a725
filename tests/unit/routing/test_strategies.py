"""Tests for routing.strategies: each ordering strategy and its deterministic tie-breaks."""

from __future__ import annotations

import random
from collections import Counter

from routing import events as ev
from routing.config import PlanStep, Queue, RoutingPlan
from routing.engine import Engine
from routing.state import AgentRecord
from routing.strategies import agent_key, choose

from .helpers import engine, offered_agent, offers, sign_in, submit


def serve(e: Engine, task_id: str, now: float) -> str | None:
    """Submit, accept and complete one task; return who got it."""
    made = offers(submit(e, task_id, now))
    if not made:
        return None
    e.apply(ev.OfferAccepted(made[0].reservation_id), now)
    e.apply(ev.TaskCompleted(task_id), now + 1)
    return made[0].agent_id


def test_longest_idle_picks_the_agent_free_the_longest() -> None:
    """longest_idle offers to the agent idle since the earliest time."""
    e = engine(Queue("support", strategy="longest_idle"))
    sign_in(e, "a1", 0)
    sign_in(e, "a2", 5)
    assert serve(e, "t1", 10) == "a1"  # a1 is free again from 11
    assert serve(e, "t2", 20) == "a2"
    assert serve(e, "t3", 30) == "a1"


def test_most_skilled_picks_the_highest_level_then_longest_idle() -> None:
    """most_skilled offers to the highest level in the queue's skill; ties go to longest idle."""
    e = engine(Queue("support", strategy="most_skilled", skill="billing"))
    sign_in(e, "low", 0, billing=3)
    sign_in(e, "high_late", 2, billing=9)
    sign_in(e, "high_early", 1, billing=9)
    assert offered_agent(submit(e, "t1", 3)) == "high_early"
    assert offered_agent(submit(e, "t2", 3)) == "high_late"
    assert offered_agent(submit(e, "t3", 3)) == "low"


def test_round_robin_walks_agents_in_id_order_per_queue() -> None:
    """round_robin continues after the last agent this queue offered to, wrapping around."""
    e = engine(Queue("support", strategy="round_robin"))
    for agent in ("b", "a", "c"):
        sign_in(e, agent, 0)
    assert [serve(e, f"t{n}", 10 * n) for n in range(5)] == ["a", "b", "c", "a", "b"]


def test_fewest_handled_picks_the_agent_with_fewest_contacts_today() -> None:
    """fewest_handled offers to the agent who handled the fewest tasks today."""
    e = engine(Queue("support", strategy="fewest_handled"))
    sign_in(e, "a1", 0)
    assert serve(e, "t1", 1) == "a1"
    assert serve(e, "t2", 3) == "a1"
    sign_in(e, "a2", 10)  # idle for less time, but handled none
    assert serve(e, "t3", 11) == "a2"


def test_weighted_random_is_seeded_and_reproducible() -> None:
    """weighted_random picks depend only on the seed and the events."""

    def run(seed: int) -> list[str | None]:
        e = engine(Queue("support", strategy="weighted_random", skill="s"), seed=seed)
        for n in range(6):
            sign_in(e, f"a{n}", 0, s=n + 1)
        return [serve(e, f"t{n}", n * 10) for n in range(20)]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_weighted_random_favours_higher_skill() -> None:
    """weighted_random draws in proportion to skill level."""
    agents = {"novice": 1, "expert": 10}
    ranked = sorted((name,) for name in agents)
    rng = random.Random(1)
    picks = Counter(
        choose(
            "weighted_random",
            ranked,
            lambda _: True,
            rng=rng,
            pointer="",
            weight=agents.__getitem__,
        )[0][-1]  # type: ignore[index]
        for _ in range(2000)
    )
    assert 0.85 < picks["expert"] / 2000 < 0.95


def test_choose_skips_refused_agents_and_reports_them() -> None:
    """Agents the caller refuses (rejected before) are skipped and listed for the trace."""
    ranked = [(1.0, "a"), (2.0, "b"), (3.0, "c")]
    winner, skipped = choose(
        "longest_idle", ranked, lambda a: a != "a", rng=random.Random(0), pointer="", weight=len
    )
    assert winner == (2.0, "b") and skipped == ["a"]


def test_keys_end_with_agent_id_for_deterministic_ties() -> None:
    """Every strategy key ends with the agent id, so equal keys never depend on luck."""
    agent = AgentRecord("a9", {"s": 4}, {}, None, idle_since=5.0, handled_today=2)
    for strategy in ("longest_idle", "most_skilled", "fewest_handled", "round_robin"):
        assert agent_key(strategy, agent, "s")[-1] == "a9"
    assert agent_key("most_skilled", agent, "s") == (-4, 5.0, "a9")


def chain_engine() -> Engine:
    """Queues q0, q1, q2 (eligible by skill, least_needed); plan p<i> routes queue == "q<i>"."""
    queues = [
        Queue(f"q{i}", expression=f"skills.q{i} >= 1", strategy="least_needed") for i in range(3)
    ]
    plans = [
        RoutingPlan(f"p{i}", filter=f'queue == "q{i}"', steps=[PlanStep(f"q{i}")]) for i in range(3)
    ]
    return engine(*queues, plans=plans)


def test_least_needed_keeps_the_agent_whose_other_queue_has_no_cover() -> None:
    """least_needed offers to the agent whose other queues keep the most free agents."""
    e = chain_engine()
    sign_in(e, "q0q1", 0, q0=5, q1=10)  # longest idle, but the only one free for q0
    sign_in(e, "q1q2", 1, q1=10, q2=5)
    sign_in(e, "q2only", 2, q2=10)
    assert offered_agent(submit(e, "t1", 3, attributes={"queue": "q1"})) == "q1q2"


def test_least_needed_prefers_an_agent_who_serves_no_other_queue() -> None:
    """An agent eligible for the task's queue only is needed nowhere else and goes first."""
    e = chain_engine()
    sign_in(e, "q0q1", 0, q0=5, q1=10)
    sign_in(e, "q1only", 1, q1=10)
    effects = submit(e, "t1", 3, attributes={"queue": "q1"})
    assert offered_agent(effects) == "q1only"
    offer = next(x for x in e.trace("t1") if x.kind == "offer")
    assert "least needed" in offer.summary and "serves no other queue" in offer.summary


def test_least_needed_ties_go_to_the_longest_idle() -> None:
    """With equal cover left elsewhere, least_needed behaves like longest_idle."""
    e = chain_engine()
    sign_in(e, "b", 0, q1=10, q2=5)
    sign_in(e, "a", 1, q1=10, q2=5)
    assert offered_agent(submit(e, "t1", 3, attributes={"queue": "q1"})) == "b"
