"""Tests for routing.decisions: queue order (priority, age, aging) and decision traces."""

from __future__ import annotations

from typing import Any

from routing import effects as fx
from routing import events as ev
from routing.config import PlanStep, Queue, RoutingPlan
from routing.engine import Engine

from .helpers import engine, of, offered_agent, offers, sign_in, submit


def drain(e: Engine, agent: str, now: float) -> list[str]:
    """Let one agent serve everything waiting; return task ids in service order."""
    order: list[str] = []
    effects = e.apply(ev.AgentStateRequested(agent, "available"), now)
    while made := offers(effects):
        order.append(made[0].task_id)
        e.apply(ev.OfferAccepted(made[0].reservation_id), now)
        effects = e.apply(ev.TaskCompleted(made[0].task_id), now)
    return order


def test_priority_first_then_fifo_within_a_queue() -> None:
    """Higher priority is served first; equal priority in arrival order."""
    e = engine(aging=None)
    sign_in(e, "a1")
    e.apply(ev.AgentStateRequested("a1", "break", "lunch"), 0)
    for n, priority in enumerate([0, 2, 0, 2, 1]):
        submit(e, f"t{n}", float(n), priority=priority)
    assert drain(e, "a1", 10) == ["t1", "t3", "t4", "t0", "t2"]


def test_aging_lets_an_old_task_beat_a_newer_higher_priority_one() -> None:
    """With aging, one priority point is worth priority_aging_seconds of waiting."""
    e = engine(aging=60)
    sign_in(e, "a1")
    e.apply(ev.AgentStateRequested("a1", "break", "lunch"), 0)
    submit(e, "old", 0, priority=0)
    submit(e, "recent_vip", 90, priority=1)  # only 60 s of credit: the old task goes first
    submit(e, "fresh_vip", 200, priority=5)  # 300 s of credit: ahead of both
    assert drain(e, "a1", 210) == ["fresh_vip", "old", "recent_vip"]


def test_task_queued_reports_position() -> None:
    """TaskQueued carries the 1-based position in the queue ordering."""
    e = engine(aging=None)
    assert of(submit(e, "t1", 0), fx.TaskQueued)[0].position == 1
    assert of(submit(e, "t2", 1), fx.TaskQueued)[0].position == 2
    assert of(submit(e, "t3", 2, priority=3), fx.TaskQueued)[0].position == 1


def test_freed_agent_picks_the_best_task_across_its_queues() -> None:
    """An agent in several queues takes the best waiting task over all of them."""
    plans = [
        RoutingPlan(name, filter=f'intent == "{name}"', steps=[PlanStep(name)])
        for name in ("billing", "sales")
    ]
    e = engine(Queue("billing"), Queue("sales"), plans=plans, aging=None)
    sign_in(e, "a1")
    e.apply(ev.AgentStateRequested("a1", "break", "x"), 0)
    submit(e, "t1", 1, attributes={"intent": "sales"})
    submit(e, "t2", 2, attributes={"intent": "billing"}, priority=1)
    submit(e, "t3", 3, attributes={"intent": "billing"})
    assert drain(e, "a1", 5) == ["t2", "t1", "t3"]


def test_decision_trace_names_the_winner_and_why() -> None:
    """The trace of an offer records the winner, the strategy and its sort key."""
    e = engine(Queue("support", strategy="most_skilled", skill="billing"))
    sign_in(e, "a1", 0, billing=4)
    sign_in(e, "a2", 0, billing=8)
    effects = submit(e, "t1", 1)
    offer = offers(effects)[0]
    entry = next(x for x in e.trace("t1") if x.trace_id == offer.trace_id)
    assert entry.kind == "offer" and "most skilled (level 8" in entry.summary
    assert entry.candidates[0].agent_id == "a2" and entry.candidates[0].sort_key == (-8, 0, "a2")
    assert [c.agent_id for c in entry.candidates[1:]] == ["a1"]


def test_waiting_trace_explains_each_sampled_agent() -> None:
    """When nobody can take a task, the trace says why for a sample of agents."""
    e = engine(Queue("support", expression='skills.billing >= 5 and "es" in languages'))
    e.apply(ev.AgentSignedIn("busy", {"billing": 6}, {"languages": ["es"]}), 0)
    e.apply(ev.AgentSignedIn("noskill", {"billing": 2}, {"languages": ["es"]}), 0)
    e.apply(ev.AgentSignedIn("onbreak", {"billing": 9}, {"languages": ["es"]}), 0)
    e.apply(ev.AgentStateRequested("onbreak", "break", "lunch"), 0)
    assert offered_agent(submit(e, "t0", 1)) == "busy"
    submit(e, "t1", 2)
    waiting = next(x for x in e.trace("t1") if x.kind == "waiting")
    reasons = {c.agent_id: c.reason for c in waiting.candidates}
    assert reasons["busy"].startswith("capacity: voice 1/1")
    assert reasons["onbreak"] == "state: break (lunch)"
    assert reasons["noskill"].startswith("expression false: skills.billing >= 5")
    assert "skills.billing=2" in reasons["noskill"]
    assert waiting.counts == {"eligible": 2, "free": 0, "ahead": 0}


def test_trace_records_step_changes_and_rejections() -> None:
    """Rejections and the reason for every step change appear in the task's trace."""
    e = engine()
    sign_in(e, "a1")
    rid = offers(submit(e, "t1", 1))[0].reservation_id
    e.apply(ev.OfferRejected(rid), 2)
    kinds = [x.kind for x in e.trace("t1")]
    assert kinds == ["queued", "offer", "rescinded", "waiting"]
    waiting = e.trace("t1")[-1]
    assert waiting.candidates[0].reason == "rejected or missed this task before"


def two_queue_engine(**kwargs: Any) -> Engine:
    """Queues billing and sales, each ranked by its own skill; agent a1 (billing 10, sales 5)."""
    plans = [
        RoutingPlan(name, filter=f'intent == "{name}"', steps=[PlanStep(name)])
        for name in ("billing", "sales")
    ]
    queues = (Queue("billing", skill="billing"), Queue("sales", skill="sales"))
    e = engine(*queues, plans=plans, **kwargs)
    sign_in(e, "a1", billing=10, sales=5)
    e.apply(ev.AgentStateRequested("a1", "break", "x"), 0)
    return e


def test_skill_preference_keeps_a_freed_agent_on_its_primary_queue() -> None:
    """Each skill level is worth skill_preference_seconds of waiting to the freed agent."""
    e = two_queue_engine(aging=60, skill_preference_seconds=2.0)  # levels 10 vs 5: 10 s
    submit(e, "sales_old", 0, attributes={"intent": "sales"})
    submit(e, "billing_new", 8, attributes={"intent": "billing"})
    assert drain(e, "a1", 9) == ["billing_new", "sales_old"]


def test_skill_preference_yields_to_a_task_waiting_longer_than_the_threshold() -> None:
    """A task that waited more than the level gap x preference seconds longer goes first."""
    e = two_queue_engine(aging=60, skill_preference_seconds=2.0)
    submit(e, "sales_old", 0, attributes={"intent": "sales"})
    submit(e, "billing_new", 12, attributes={"intent": "billing"})
    assert drain(e, "a1", 13) == ["sales_old", "billing_new"]


def test_largest_skill_preference_the_api_accepts_makes_primary_first_strict() -> None:
    """At 3600 s a level (the API's maximum), a 5-level gap outweighs an hour's longer wait."""
    plans = [
        RoutingPlan(
            name, filter=f'intent == "{name}"', steps=[PlanStep(name)], max_wait_seconds=3600
        )
        for name in ("billing", "sales")
    ]
    queues = (Queue("billing", skill="billing"), Queue("sales", skill="sales"))
    e = engine(*queues, plans=plans, aging=60, skill_preference_seconds=3600.0)
    sign_in(e, "a1", billing=10, sales=5)
    e.apply(ev.AgentStateRequested("a1", "break", "x"), 0)
    submit(e, "sales_old", 0, attributes={"intent": "sales"})
    submit(e, "billing_new", 3590, attributes={"intent": "billing"})
    assert drain(e, "a1", 3599) == ["billing_new", "sales_old"]


def test_skill_preference_keeps_priority_then_fifo_within_a_queue() -> None:
    """The offset is the same for every task of a queue, so its order is unchanged."""
    e = two_queue_engine(aging=None, skill_preference_seconds=100.0)
    for n, priority in enumerate([0, 2, 0]):
        submit(e, f"b{n}", float(n), attributes={"intent": "billing"}, priority=priority)
    assert drain(e, "a1", 5) == ["b1", "b0", "b2"]


def test_skill_preference_under_strict_priority_orders_only_equal_priorities() -> None:
    """With strict priority, a higher-priority task still wins; the preference breaks ties."""
    e = two_queue_engine(aging=None, skill_preference_seconds=100.0)
    submit(e, "sales_vip", 0, attributes={"intent": "sales"}, priority=1)
    submit(e, "sales", 1, attributes={"intent": "sales"})
    submit(e, "billing", 2, attributes={"intent": "billing"})
    assert drain(e, "a1", 5) == ["sales_vip", "billing", "sales"]


def test_longest_queue_serves_the_pool_with_most_waiting_tasks_first() -> None:
    """agent_choice longest_queue: most waiting first, ties by the (preference-adjusted) rank."""
    e = two_queue_engine(aging=60, agent_choice="longest_queue")
    submit(e, "s0", 0, attributes={"intent": "sales"})
    submit(e, "b1", 1, attributes={"intent": "billing"})
    submit(e, "b2", 2, attributes={"intent": "billing"})
    assert drain(e, "a1", 5) == ["b1", "s0", "b2"]


def test_default_choice_ignores_skill() -> None:
    """Without a preference the freed agent takes the best-ranked task whatever its skill."""
    e = two_queue_engine(aging=60)
    submit(e, "sales_old", 0, attributes={"intent": "sales"})
    submit(e, "billing_new", 1, attributes={"intent": "billing"})
    assert drain(e, "a1", 2) == ["sales_old", "billing_new"]


def test_preference_decision_is_explained_in_the_trace() -> None:
    """The offer trace of a preference-ranked pick names the skill level and the seconds."""
    e = two_queue_engine(aging=60, skill_preference_seconds=2.0, agent_choice="longest_queue")
    submit(e, "b0", 0, attributes={"intent": "billing"})
    drain(e, "a1", 1)
    summary = next(x for x in e.trace("b0") if x.kind == "offer").summary
    assert "longest queue (1 waiting), then skill level 10 x 2 s preference" in summary
