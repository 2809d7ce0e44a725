"""Tests for routing.engine: the lifecycle of tasks, offers and agents, event by event."""

from __future__ import annotations

import pytest

from routing import effects as fx
from routing import events as ev
from routing.config import CapacityProfile, CrossChannelRule, PlanStep, Queue, RoutingPlan
from routing.engine import Engine

from .helpers import config, engine, of, offered_agent, offers, sign_in, submit


def test_offer_then_accept_assigns_with_waited_seconds() -> None:
    """An accepted offer assigns the task and reports how long it waited."""
    e = engine()
    sign_in(e, "a1")
    rid = offers(submit(e, "t1", now=10))[0].reservation_id
    assert offers(submit(e, "t2", now=12)) == []
    assigned = of(e.apply(ev.OfferAccepted(rid), 15), fx.TaskAssigned)
    assert assigned == [fx.TaskAssigned(rid, "t1", "a1", "support", 5, assigned[0].trace_id)]
    assert e.agent("a1").state == "busy"  # type: ignore[union-attr]


def test_reject_moves_on_and_never_reoffers_the_rejecting_agent() -> None:
    """A rejected offer goes to the next agent; the rejecting agent is skipped for this step."""
    e = engine()
    sign_in(e, "a1", 0)
    sign_in(e, "a2", 1)
    rid = offers(submit(e, "t1", 2))[0].reservation_id
    effects = e.apply(ev.OfferRejected(rid, "busy"), 3)
    assert of(effects, fx.OfferRescinded)[0].reason == "rejected"
    assert offered_agent(effects) == "a2"
    effects = e.apply(ev.OfferRejected(offers(effects)[0].reservation_id), 4)
    assert offers(effects) == []
    assert e.task("t1").status == "waiting"  # type: ignore[union-attr]


def test_offer_expiry_on_tick_moves_on() -> None:
    """An offer not answered by its expiry is rescinded and offered to the next agent."""
    e = engine(Queue("support", offer_timeout_seconds=15))
    sign_in(e, "a1", 0)
    sign_in(e, "a2", 1)
    made = offers(submit(e, "t1", 2))[0]
    assert made.expires_at == 17 and e.next_deadline() == 17
    assert e.apply(ev.Tick(), 16.9) == []
    effects = e.apply(ev.Tick(), 17)
    assert [r.reason for r in of(effects, fx.OfferRescinded)] == ["expired"]
    assert offered_agent(effects) == "a2"


def test_missed_offers_in_a_row_put_the_agent_on_break() -> None:
    """max_missed_offers unanswered offers in a row put the agent on break 'missed_offer'."""
    e = engine(Queue("support", offer_timeout_seconds=10, max_missed_offers=2))
    sign_in(e, "a1")
    submit(e, "t1", 1)
    submit(e, "t2", 1)
    e.apply(ev.Tick(), 11)  # t1 missed; t2 offered next (t1 excluded a1)
    effects = e.apply(ev.Tick(), 21)
    changes = of(effects, fx.AgentStateChanged)
    assert changes[-1].state == "break" and changes[-1].reason == "missed_offer"
    assert e.agent("a1").state == "break"  # type: ignore[union-attr]
    assert offers(effects) == []


def test_accept_resets_the_missed_offer_count() -> None:
    """Accepting an offer clears the run of missed offers."""
    e = engine(Queue("support", offer_timeout_seconds=10, max_missed_offers=2))
    sign_in(e, "a1")
    submit(e, "t1", 1)
    submit(e, "t2", 1)
    effects = e.apply(ev.Tick(), 11)
    e.apply(ev.OfferAccepted(offers(effects)[0].reservation_id), 12)
    assert e.agent("a1").missed_in_row == 0  # type: ignore[union-attr]


def test_wrap_up_blocks_offers_until_the_timer() -> None:
    """After completion the agent wraps up and gets no offer until the wrap-up timer ends."""
    e = engine(Queue("support", wrap_up_seconds=30))
    sign_in(e, "a1")
    rid = offers(submit(e, "t1", 1))[0].reservation_id
    e.apply(ev.OfferAccepted(rid), 2)
    submit(e, "t2", 3)
    effects = e.apply(ev.TaskCompleted("t1"), 10)
    assert of(effects, fx.WrapUpStarted) == [fx.WrapUpStarted("a1", "t1", 40)]
    assert of(effects, fx.TaskEnded)[0].outcome == "completed"
    assert offers(effects) == [] and e.agent("a1").state == "wrap-up"  # type: ignore[union-attr]
    assert offers(e.apply(ev.Tick(), 39)) == []
    assert offered_agent(e.apply(ev.Tick(), 40)) == "a1"


def test_wrap_up_ended_early_frees_the_agent() -> None:
    """WrapUpEnded before the timer frees the agent at once; the stale timer does nothing."""
    e = engine(Queue("support", wrap_up_seconds=30))
    sign_in(e, "a1")
    e.apply(ev.OfferAccepted(offers(submit(e, "t1", 1))[0].reservation_id), 2)
    e.apply(ev.TaskCompleted("t1"), 10)
    submit(e, "t2", 11)
    assert offered_agent(e.apply(ev.WrapUpEnded("a1", "t1"), 12)) == "a1"
    assert e.apply(ev.WrapUpEnded("a1", "t1"), 13) == []


def chat_profile() -> CapacityProfile:
    return CapacityProfile(
        units={"voice": 1, "chat": 1},
        limits={"voice": 1, "chat": 3},
        total_units=None,
        rules=[CrossChannelRule("voice", "chat", 2)],
    )


def test_agent_takes_several_chats_but_no_call_while_two_chats_open() -> None:
    """Offers count as held work: up to three chats, and no call while two chats are open."""
    e = engine()
    e.apply(ev.AgentSignedIn("a1", {"x": 1}, capacity=chat_profile()), 0)
    agents = [offered_agent(submit(e, f"c{n}", 1, channel="chat")) for n in range(4)]
    assert agents == ["a1", "a1", "a1", None]
    assert offered_agent(submit(e, "v1", 2, channel="voice")) is None
    e.apply(ev.TaskCanceled("c0", "customer_left"), 3)  # c3 takes its slot
    e.apply(ev.TaskCanceled("c1", "customer_left"), 3)
    e.apply(ev.TaskCanceled("c3", "customer_left"), 3)
    assert e.agent("a1").held == {"chat": 1, "voice": 1}  # type: ignore[union-attr]


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


@pytest.mark.parametrize("stage", ["waiting", "offered", "assigned"])
def test_cancel_at_any_stage_ends_the_task_once(stage: str) -> None:
    """A task canceled while waiting, offered or assigned ends exactly once, as 'canceled'."""
    e = engine()
    if stage != "waiting":
        sign_in(e, "a1")
    effects = submit(e, "t1", 1)
    if stage == "assigned":
        e.apply(ev.OfferAccepted(offers(effects)[0].reservation_id), 2)
    effects = e.apply(ev.TaskCanceled("t1", "caller_hangup"), 3)
    assert [x.outcome for x in of(effects, fx.TaskEnded)] == ["canceled"]
    rescinded = [x.reason for x in of(effects, fx.OfferRescinded)]
    assert rescinded == (["canceled"] if stage == "offered" else [])
    assert e.apply(ev.TaskCanceled("t1", "caller_hangup"), 4) == []


def test_transfer_to_queue_and_to_agent() -> None:
    """A transfer re-queues the task in another queue, or holds it for one agent."""
    e = engine(Queue("support"), Queue("sales", expression="team == 'sales'"))
    sign_in(e, "a1", 0)
    e.apply(ev.AgentSignedIn("s1", {"x": 1}, {"team": "sales"}), 1)
    rid = offers(submit(e, "t1", 2))[0].reservation_id
    e.apply(ev.OfferAccepted(rid), 3)
    effects = e.apply(ev.TaskTransferred("t1", to_queue_id="sales", reason="upsell"), 4)
    assert of(effects, fx.TaskQueued)[0].queue_id == "sales"
    assert offered_agent(effects) == "s1"
    e.apply(ev.OfferAccepted(offers(effects)[0].reservation_id), 5)
    effects = e.apply(ev.TaskTransferred("t1", to_agent_id="a1"), 6)
    assert offered_agent(effects) == "a1"


def test_transfer_out_ends_the_task() -> None:
    """A transfer with no target leaves the contact centre: outcome 'transferred_out'."""
    e = engine()
    sign_in(e, "a1")
    e.apply(ev.OfferAccepted(offers(submit(e, "t1", 1))[0].reservation_id), 2)
    effects = e.apply(ev.TaskTransferred("t1", reason="external"), 3)
    assert [x.outcome for x in of(effects, fx.TaskEnded)] == ["transferred_out"]


def test_requeue_puts_an_assigned_task_back_in_its_queue() -> None:
    """A requeued task waits again in its step; the agent is released."""
    e = engine()
    sign_in(e, "a1")
    e.apply(ev.OfferAccepted(offers(submit(e, "t1", 1))[0].reservation_id), 2)
    effects = e.apply(ev.TaskRequeued("t1", "wrong skill"), 3)
    assert of(effects, fx.TaskQueued)[0].task_id == "t1"
    assert offered_agent(effects) == "a1"


def test_sign_out_rescinds_pending_offers() -> None:
    """Signing out rescinds the agent's pending offers (reason agent_offline)."""
    e = engine()
    sign_in(e, "a1", 0)
    sign_in(e, "a2", 1)
    submit(e, "t1", 2)
    effects = e.apply(ev.AgentSignedOut("a1"), 3)
    assert [x.reason for x in of(effects, fx.OfferRescinded)] == ["agent_offline"]
    assert offered_agent(effects) == "a2"
    assert of(effects, fx.AgentStateChanged)[0].state == "offline"


def test_break_stops_new_offers_and_available_resumes() -> None:
    """An agent on break receives nothing; becoming available picks up waiting work."""
    e = engine()
    sign_in(e, "a1")
    effects = e.apply(ev.AgentStateRequested("a1", "break", "lunch"), 1)
    assert of(effects, fx.AgentStateChanged) == [fx.AgentStateChanged("a1", "break", "lunch", 1)]
    assert offers(submit(e, "t1", 2)) == []
    assert offered_agent(e.apply(ev.AgentStateRequested("a1", "available"), 3)) == "a1"


@pytest.mark.parametrize(
    "event",
    [
        ev.OfferAccepted("r404"),
        ev.OfferRejected("r404"),
        ev.TaskCanceled("t404"),
        ev.TaskCompleted("t404"),
        ev.TaskCompleted("t1"),  # waiting, not assigned: wrong state
        ev.WrapUpEnded("a1", "t1"),
        ev.TaskTransferred("t404", to_queue_id="support"),
        ev.TaskTransferred("t1", to_queue_id="nope"),
        ev.TaskRequeued("t1"),
        ev.AgentSignedOut("ghost"),
        ev.AgentUpdated("ghost"),
        ev.AgentStateRequested("ghost", "available"),
        ev.TaskSubmitted("t1"),
    ],
    ids=lambda e: e.kind,
)
def test_stale_commands_change_nothing_and_are_noted(event: ev.Event) -> None:
    """Unknown ids or wrong-state commands return no effects, change nothing, and are noted."""
    e = engine()
    submit(e, "t1", 0)
    before = e.snapshot()
    ignored = len(e.ignored()) + len(e.trace("t1"))
    assert e.apply(event, 1) == []
    after = e.snapshot()
    after["traces"] = before["traces"]
    assert after == before | {"now": 1}
    assert len(e.ignored()) + len(e.trace("t1")) == ignored + 1


def test_config_change_reroutes_waiting_tasks() -> None:
    """After ConfigChanged, waiting tasks are routed by the new configuration."""
    e = engine(Queue("support", expression="skills.billing >= 9"))
    sign_in(e, "a1", 0, billing=5)
    submit(e, "t1", 1)
    effects = e.apply(
        ev.ConfigChanged(config(Queue("support", expression="skills.billing >= 5"))), 2
    )
    assert offered_agent(effects) == "a1"


def test_no_plans_means_the_task_exits_with_a_message() -> None:
    """Without any routing plan a task cannot wait: it exits with 'message' and ends."""
    e = engine(plans=[])
    effects = submit(e, "t1", 0)
    assert [x.exit for x in of(effects, fx.TaskExited)] == ["message"]
    assert [x.outcome for x in of(effects, fx.TaskEnded)] == ["exited"]


def test_handled_today_resets_at_the_day_boundary() -> None:
    """'Handled today' counts restart when the driver's clock crosses midnight UTC."""
    e = engine()
    sign_in(e, "a1", 86_000)
    e.apply(ev.OfferAccepted(offers(submit(e, "t1", 86_100))[0].reservation_id), 86_100)
    assert e.agent("a1").handled_today == 1  # type: ignore[union-attr]
    e.apply(ev.Tick(), 86_500)
    assert e.agent("a1").handled_today == 0  # type: ignore[union-attr]
