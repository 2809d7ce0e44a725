"""Tests for routing.lifecycle: plan choice, preferred agent, steps, exits, max wait."""

from __future__ import annotations

from routing import effects as fx
from routing import events as ev
from routing.config import PlanStep, Queue, RoutingPlan
from routing.engine import Engine

from .helpers import engine, of, offered_agent, offers, sign_in, submit


def test_preferred_agent_gets_the_first_offer_when_free() -> None:
    """The customer's last agent gets the first offer when eligible and free."""
    plan = RoutingPlan("p", steps=[PlanStep("support")], preferred_agent_seconds=20)
    e = engine(plans=[plan])
    sign_in(e, "a1", 0)
    sign_in(e, "a2", 5)
    assert offered_agent(submit(e, "t1", 6, preferred_agent_id="a2")) == "a2"


def test_preferred_agent_busy_holds_the_task_for_the_window() -> None:
    """A busy preferred agent keeps the task for preferred_agent_seconds, then anyone may."""
    plan = RoutingPlan("p", steps=[PlanStep("support")], preferred_agent_seconds=20)
    e = engine(plans=[plan])
    sign_in(e, "a2", 0)
    e.apply(ev.OfferAccepted(offers(submit(e, "t0", 1))[0].reservation_id), 1)
    sign_in(e, "a1", 2)
    assert offers(submit(e, "t1", 3, preferred_agent_id="a2")) == []
    assert e.task("t1").status == "held"  # type: ignore[union-attr]
    assert offered_agent(e.apply(ev.Tick(), 23)) == "a1"


def test_preferred_agent_freed_inside_window_gets_it() -> None:
    """If the preferred agent frees up within the window, they get the offer."""
    plan = RoutingPlan("p", steps=[PlanStep("support")], preferred_agent_seconds=20)
    e = engine(plans=[plan])
    sign_in(e, "a2", 0)
    e.apply(ev.OfferAccepted(offers(submit(e, "t0", 1))[0].reservation_id), 1)
    submit(e, "t1", 3, preferred_agent_id="a2")
    assert offered_agent(e.apply(ev.TaskCompleted("t0"), 10)) == "a2"


def test_preferred_agent_offline_means_normal_routing() -> None:
    """An unavailable or unknown preferred agent does not delay the task."""
    plan = RoutingPlan("p", steps=[PlanStep("support")], preferred_agent_seconds=20)
    e = engine(plans=[plan])
    sign_in(e, "a1")
    assert offered_agent(submit(e, "t1", 1, preferred_agent_id="ghost")) == "a1"


def overflow_engine() -> Engine:
    plan = RoutingPlan(
        "p",
        steps=[
            PlanStep("billing", expression="skills.billing >= 8", timeout_seconds=30),
            PlanStep("billing", timeout_seconds=30, priority_change=2),
            PlanStep("general", timeout_seconds=60),
            PlanStep(exit="voicemail"),
        ],
    )
    return engine(
        Queue("billing", expression="skills.billing >= 3"),
        Queue("general"),
        plans=[plan],
    )


def test_step_timeout_widens_then_overflows_then_exits() -> None:
    """Each timed-out step moves on: widen the skill, overflow to another queue, then exit."""
    e = overflow_engine()
    sign_in(e, "low", 0, billing=4)
    e.apply(ev.AgentStateRequested("low", "break", "lunch"), 0)
    sign_in(e, "general", 0, general=5)
    e.apply(ev.AgentStateRequested("general", "break", "lunch"), 0)
    queued = of(submit(e, "t1", 1), fx.TaskQueued)
    assert (queued[0].queue_id, queued[0].step_index, queued[0].priority) == ("billing", 0, 0)
    e.apply(ev.AgentStateRequested("low", "available"), 2)  # not skilled enough for step 0
    assert e.task("t1").status == "waiting"  # type: ignore[union-attr]
    effects = e.apply(ev.Tick(), 31)
    assert of(effects, fx.StepChanged) == [
        fx.StepChanged("t1", 0, 1, "timeout 30s", of(effects, fx.StepChanged)[0].trace_id)
    ]
    assert of(effects, fx.TaskQueued)[0].priority == 2
    assert offered_agent(effects) == "low"
    e.apply(ev.OfferRejected(offers(effects)[0].reservation_id), 32)
    effects = e.apply(ev.Tick(), 61)
    assert of(effects, fx.TaskQueued)[0].queue_id == "general"
    effects = e.apply(ev.Tick(), 121)
    assert of(effects, fx.TaskExited)[0].exit == "voicemail"
    assert [x.outcome for x in of(effects, fx.TaskEnded)] == ["exited"]
    assert e.task("t1") is None


def test_max_wait_exits_the_task() -> None:
    """Every plan has a maximum wait after which the task exits with 'max_wait'."""
    plan = RoutingPlan("p", steps=[PlanStep("support")], max_wait_seconds=120)
    e = engine(plans=[plan])
    submit(e, "t1", 0)
    assert e.next_deadline() == 120
    effects = e.apply(ev.Tick(), 120)
    assert [(x.exit, x.queue_id) for x in of(effects, fx.TaskExited)] == [("max_wait", "support")]
    assert [x.outcome for x in of(effects, fx.TaskEnded)] == ["exited"]


def test_value_boost_is_clamped_to_the_plan_maximum() -> None:
    """A customer's value boost raises priority by at most plan.max_value_boost."""
    plan = RoutingPlan("p", steps=[PlanStep("support")], max_value_boost=2)
    e = engine(plans=[plan])
    queued = of(submit(e, "t1", 0, priority=1, value_boost=50), fx.TaskQueued)
    assert queued[0].priority == 3
    assert of(submit(e, "t2", 0, value_boost=-5), fx.TaskQueued)[0].priority == 0


def test_plan_filter_chooses_the_first_matching_plan() -> None:
    """Plans are tried by priority; the first matching filter wins, else the default plan."""
    plans = [
        RoutingPlan(
            "gold", filter='segment in ["gold", "platinum"]', priority=9, steps=[PlanStep("vip")]
        ),
        RoutingPlan("voice", filter='channel == "voice"', priority=5, steps=[PlanStep("support")]),
        RoutingPlan("rest", priority=0, steps=[PlanStep("support")]),
    ]
    e = engine(Queue("support"), Queue("vip"), plans=plans, default_plan_id="rest")
    assert (
        of(submit(e, "t1", 0, attributes={"segment": "gold"}), fx.TaskQueued)[0].plan_id == "gold"
    )
    assert of(submit(e, "t2", 0), fx.TaskQueued)[0].plan_id == "voice"
    assert of(submit(e, "t3", 0, channel="email"), fx.TaskQueued)[0].plan_id == "rest"


def test_no_plans_means_the_task_exits_with_a_message() -> None:
    """Without any routing plan a task cannot wait: it exits with 'message' and ends."""
    e = engine(plans=[])
    effects = submit(e, "t1", 0)
    assert [x.exit for x in of(effects, fx.TaskExited)] == ["message"]
    assert [x.outcome for x in of(effects, fx.TaskEnded)] == ["exited"]


def test_step_timeout_keeps_a_ringing_offer() -> None:
    """A step that times out while the task is offered keeps the offer; the step still moves."""
    plan = RoutingPlan(
        "p", steps=[PlanStep("support", timeout_seconds=5), PlanStep("support", priority_change=3)]
    )
    e = engine(Queue("support", offer_timeout_seconds=20), plans=[plan])
    sign_in(e, "a1")
    rid = offers(submit(e, "t1", 0))[0].reservation_id
    effects = e.apply(ev.Tick(), 5)
    assert [(x.from_step, x.to_step) for x in of(effects, fx.StepChanged)] == [(0, 1)]
    assert of(effects, fx.OfferRescinded) == []
    assert of(e.apply(ev.OfferAccepted(rid), 6), fx.TaskAssigned)[0].task_id == "t1"
