"""Property tests for routing.engine: random event streams keep the routing invariants.

Agents sign in and out, take breaks, tasks arrive, offers are accepted, rejected or expire as
time advances, tasks are canceled, completed, transferred and requeued.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from routing import capacity
from routing import effects as fx
from routing import events as ev
from routing.config import (
    CapacityProfile,
    CrossChannelRule,
    PlanStep,
    Queue,
    RoutingConfig,
    RoutingPlan,
)
from routing.engine import Engine
from routing.state import AgentRecord, TaskRecord

AGENTS = ("a0", "a1", "a2", "a3")
CHAT_PROFILE = CapacityProfile(
    units={"voice": 1, "chat": 1, "email": 1},
    limits={"voice": 1, "chat": 3, "email": 2},
    total_units=4,
    rules=[CrossChannelRule("voice", "chat", 2)],
)


# (skill_preference_seconds, agent_choice): how a freed agent picks among its queues' heads.
CHOICES = (
    (0.0, "best_ranked"),
    (3.0, "best_ranked"),
    (0.0, "longest_queue"),
    (1.0, "longest_queue"),
    (0.0, "least_covered"),
)


def make_config(
    strategy: str, aging: float | None = None, choice: tuple[float, str] = CHOICES[0]
) -> RoutingConfig:
    queues = [
        Queue(
            "q1",
            expression="skills.a >= 1",
            skill="a",
            wrap_up_seconds=5,
            offer_timeout_seconds=10,
        ),
        Queue(
            "q2",
            expression="skills.b >= 3",
            strategy=strategy,
            skill="b",
            offer_timeout_seconds=8,
            max_missed_offers=2,
        ),
    ]
    plans = [
        RoutingPlan(
            "pa",
            filter='intent == "a"',
            priority=2,
            steps=[
                PlanStep("q1", timeout_seconds=20),
                PlanStep("q2", timeout_seconds=30, priority_change=1),
                PlanStep(exit="callback"),
            ],
            max_wait_seconds=150,
            preferred_agent_seconds=10,
        ),
        RoutingPlan(
            "pb",
            steps=[
                PlanStep("q2", expression="skills.b >= 5", timeout_seconds=15),
                PlanStep("q2", priority_change=1),
            ],
            max_wait_seconds=200,
            max_value_boost=2,
        ),
    ]
    return RoutingConfig(
        queues=queues,
        plans=plans,
        priority_aging_seconds=aging,
        skill_preference_seconds=choice[0],
        agent_choice=choice[1],
    )


class CheckedEngine(Engine):
    """The engine with its offer preconditions asserted at the moment of every offer."""

    from_hold = False

    def _offer_held(self, agent: AgentRecord) -> bool:
        # A task held for one agent (preferred agent, transfer) may jump the queue order.
        self.from_hold = True
        try:
            return super()._offer_held(agent)
        finally:
            self.from_hold = False

    def offer(
        self, task: TaskRecord, agent: AgentRecord, queue: Queue, trace_id: str, place: bool = True
    ) -> None:
        assert task.status not in ("offered", "assigned"), "task offered twice at once"
        assert agent.presence == "available", f"offer to an agent who is {agent.presence}"
        assert not agent.wrap_ups, "offer to an agent in wrap-up"
        assert capacity.refusal(self.profile(agent), agent.held, task.channel) is None
        lane = self.lane_of(task)
        if lane is not None and task.channel in lane.pools and not self.from_hold:
            entry = self.entry(task)
            for other in lane.pools[task.channel].tasks:
                waiting = self.tasks[other[-1]]
                if other < entry and agent.agent_id not in waiting.excluded:
                    raise AssertionError("a better waiting task was passed over (priority, FIFO)")
        super().offer(task, agent, queue, trace_id, place)


ops = st.one_of(
    st.tuples(st.just("sign_in"), st.sampled_from(AGENTS), st.integers(0, 10), st.integers(0, 10)),
    st.tuples(st.just("state"), st.sampled_from(AGENTS), st.sampled_from(["available", "break"])),
    st.tuples(st.just("sign_out"), st.sampled_from(AGENTS)),
    st.tuples(
        st.just("submit"),
        st.sampled_from(["voice", "chat", "email"]),
        st.sampled_from(["a", "b"]),
        st.integers(0, 3),
        st.integers(0, 5),
        st.sampled_from([None, *AGENTS]),
    ),
    st.tuples(st.sampled_from(["accept", "accept", "reject"]), st.integers(0, 5)),
    st.tuples(
        st.sampled_from(["cancel", "complete", "complete", "requeue", "transfer_out"]),
        st.integers(0, 9),
    ),
    st.tuples(st.just("transfer_queue"), st.integers(0, 9), st.sampled_from(["q1", "q2", "zz"])),
    st.tuples(st.just("transfer_agent"), st.integers(0, 9), st.sampled_from(AGENTS)),
    st.tuples(st.just("wrap_up_end"), st.sampled_from(AGENTS), st.integers(0, 3)),
    st.tuples(st.just("tick"), st.floats(0, 40)),
    st.tuples(st.just("stale"), st.sampled_from(["r999", "t999"])),
    st.tuples(
        st.just("config"), st.sampled_from(["weighted_random", "round_robin"]), st.booleans()
    ),
)


class Model:
    """What the effects say, tracked independently of the engine's internals."""

    def __init__(self) -> None:
        self.offers: dict[str, fx.OfferCreated] = {}
        self.offered_task: dict[str, str] = {}
        self.assigned: dict[str, tuple[str, str]] = {}  # task -> (agent, channel)
        self.live: list[str] = []
        self.ended: Counter[str] = Counter()
        self.submitted: list[str] = []
        self.wrap_ups: dict[str, list[str]] = {}

    def see(self, effects: list[fx.Effect]) -> None:
        for effect in effects:
            assert self.ended[getattr(effect, "task_id", "")] == 0, f"effect after end: {effect}"
            if isinstance(effect, fx.OfferCreated):
                assert effect.task_id not in self.offered_task, "task offered to two agents"
                self.offers[effect.reservation_id] = effect
                self.offered_task[effect.task_id] = effect.reservation_id
            elif isinstance(effect, fx.OfferRescinded):
                del self.offered_task[self.offers.pop(effect.reservation_id).task_id]
            elif isinstance(effect, fx.TaskAssigned):
                offer = self.offers.pop(effect.reservation_id)
                del self.offered_task[offer.task_id]
                self.assigned[offer.task_id] = (offer.agent_id, offer.channel)
            elif isinstance(effect, fx.TaskQueued):
                self.assigned.pop(effect.task_id, None)  # requeue or transfer releases it
            elif isinstance(effect, fx.TaskEnded):
                self.ended[effect.task_id] += 1
                self.assigned.pop(effect.task_id, None)
                self.live.remove(effect.task_id)
            elif isinstance(effect, fx.WrapUpStarted):
                self.wrap_ups.setdefault(effect.agent_id, []).append(effect.task_id)

    def held(self) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {}
        for offer in self.offers.values():
            counts.setdefault(offer.agent_id, Counter())[offer.channel] += 1
        for agent_id, channel in self.assigned.values():
            counts.setdefault(agent_id, Counter())[channel] += 1
        return counts


def event_for(  # noqa: PLR0911 (one return per generated operation kind)
    op: tuple[Any, ...], model: Model, engine: Engine, serial: int
) -> ev.Event | None:
    kind = op[0]
    reservations = sorted(model.offers, key=lambda r: int(r[1:]))
    assigned = sorted(model.assigned)
    live = model.live
    if kind == "sign_in":
        profile = CHAT_PROFILE if op[1] in ("a2", "a3") else None
        skills = {name: level for name, level in (("a", op[2]), ("b", op[3])) if level}
        return ev.AgentSignedIn(op[1], skills, {"languages": ["en"]}, profile)
    if kind == "state":
        return ev.AgentStateRequested(op[1], op[2], "lunch" if op[2] == "break" else None)
    if kind == "sign_out":
        return ev.AgentSignedOut(op[1])
    if kind == "submit":
        return ev.TaskSubmitted(
            f"t{serial}", op[1], {"intent": op[2]}, op[3], op[4], op[5], created_at=None
        )
    if kind in ("accept", "reject"):
        if not reservations:
            return None
        rid = reservations[op[1] % len(reservations)]
        return ev.OfferAccepted(rid) if kind == "accept" else ev.OfferRejected(rid, "no")
    if kind == "complete":
        return ev.TaskCompleted(assigned[op[1] % len(assigned)]) if assigned else None
    if kind == "wrap_up_end":
        tasks = model.wrap_ups.get(op[1], [])
        return ev.WrapUpEnded(op[1], tasks[op[2] % len(tasks)]) if tasks else None
    if kind == "tick":
        return ev.Tick()
    if kind == "config":
        # An admin edit mid-stream: another q2 strategy, optionally dropping plan "pa".
        current = engine.config
        choice = (current.skill_preference_seconds, current.agent_choice)
        config = make_config(op[1], current.priority_aging_seconds, choice)
        if op[2]:
            config = dataclasses.replace(
                config, plans=[plan for plan in config.plans if plan.id != "pa"]
            )
        return ev.ConfigChanged(config)
    if kind == "stale":
        return ev.OfferAccepted(op[1]) if op[1].startswith("r") else ev.TaskCompleted(op[1])
    if not live:
        return None
    task_id = live[op[1] % len(live)]
    if kind == "cancel":
        return ev.TaskCanceled(task_id, "caller_hangup")
    if kind == "requeue":
        return ev.TaskRequeued(task_id, "test")
    if kind == "transfer_out":
        return ev.TaskTransferred(task_id, reason="out")
    if kind == "transfer_queue":
        return ev.TaskTransferred(task_id, to_queue_id=op[2])
    return ev.TaskTransferred(task_id, to_agent_id=op[2])


def check_capacity(model: Model, engine: Engine) -> None:
    for agent_id, held in model.held().items():
        agent = engine.agents[agent_id]
        assert {k: v for k, v in agent.held.items() if v} == dict(+held)
        profile = engine.profile(agent)
        for channel, count in held.items():
            assert count <= profile.limits.get(channel, 0), "per-channel limit exceeded"
        if profile.total_units is not None:
            assert capacity.used_units(profile, dict(held)) <= profile.total_units


def run(
    config: RoutingConfig, program: list[tuple[Any, ...]], seed: int
) -> tuple[list[tuple[float, ev.Event]], list[list[dict[str, Any]]], Model, Engine]:
    engine = CheckedEngine(config, seed=seed)
    model = Model()
    now = 1_000.0
    stream: list[tuple[float, ev.Event]] = []
    outputs: list[list[dict[str, Any]]] = []
    for serial, op in enumerate(program):
        now += op[1] if op[0] == "tick" else 0.5
        event = event_for(op, model, engine, serial)
        if event is None:
            continue
        if isinstance(event, ev.TaskSubmitted):
            model.live.append(event.task_id)
            model.submitted.append(event.task_id)
        effects = engine.apply(event, now)
        model.see(effects)
        check_capacity(model, engine)
        stream.append((now, event))
        outputs.append([effect.to_dict() for effect in effects])
    # Close the day: cancel everything still alive so every task must have ended.
    for task_id in list(model.live):
        effects = engine.apply(ev.TaskCanceled(task_id, "end_of_test"), now)
        model.see(effects)
        stream.append((now, ev.TaskCanceled(task_id, "end_of_test")))
        outputs.append([effect.to_dict() for effect in effects])
    return stream, outputs, model, engine


sign_ins = st.tuples(
    st.just("sign_in"), st.sampled_from(AGENTS), st.integers(0, 10), st.integers(2, 10)
)
busy_ops = st.one_of(
    ops,
    st.tuples(st.just("accept"), st.integers(0, 5)),
    st.tuples(st.just("complete"), st.integers(0, 9)),
    st.tuples(st.just("tick"), st.floats(0, 12)),
    st.tuples(
        st.just("submit"),
        st.sampled_from(["voice", "chat", "email"]),
        st.sampled_from(["a", "b"]),
        st.integers(0, 3),
        st.integers(0, 5),
        st.sampled_from([None, *AGENTS]),
    ),
)
# Everyone signs in first (so offers actually happen), then anything goes.
programs = st.builds(
    lambda first, rest: first + rest,
    st.lists(sign_ins, min_size=2, max_size=4),
    st.lists(busy_ops, min_size=15, max_size=80),
)
strategies_ = st.sampled_from(
    [
        "longest_idle",
        "most_skilled",
        "round_robin",
        "fewest_handled",
        "weighted_random",
        "least_needed",
    ]
)
# ROUTING_PROPERTY_EXAMPLES=5000 for a soak run; the default keeps the suite quick.
SETTINGS = settings(
    max_examples=int(os.environ.get("ROUTING_PROPERTY_EXAMPLES", "500")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


agings = st.sampled_from([None, 60.0])
choices = st.sampled_from(CHOICES)


@SETTINGS
@given(
    program=programs,
    strategy=strategies_,
    seed=st.integers(0, 3),
    aging=agings,
    choice=choices,
)
def test_invariants_hold_for_random_event_streams(
    program: list[tuple[Any, ...]],
    strategy: str,
    seed: int,
    aging: float | None,
    choice: tuple[float, str],
) -> None:
    """Never two offers for a task, capacity and agent state respected, order kept, one end."""
    _, _, model, engine = run(make_config(strategy, aging, choice), program, seed)
    assert all(model.ended[task] == 1 for task in model.submitted), "a task did not end once"
    assert not engine.tasks and not engine.reservations
    assert all(not agent.held.get(c) for agent in engine.agents.values() for c in agent.held)


@SETTINGS
@given(
    program=programs,
    strategy=strategies_,
    seed=st.integers(0, 3),
    cut=st.floats(0, 1),
    choice=choices,
)
# least_needed counted q1's voice pool, built by the first offer; restore() did not rebuild it.
@example(
    program=[
        ("sign_in", "a0", 1, 3),
        ("sign_in", "a2", 0, 3),
        ("submit", "voice", "a", 0, 0, None),
        ("accept", 0),
        ("requeue", 0),
        ("tick", 10.0),
        ("state", "a0", "available"),
        ("tick", 8.0),
        ("state", "a0", "available"),
        ("state", "a0", "available"),
        ("transfer_queue", 0, "q2"),
    ],
    strategy="least_needed",
    seed=0,
    cut=0.5,
    choice=CHOICES[0],
)
def test_replay_and_restore_give_the_same_effects(
    program: list[tuple[Any, ...]],
    strategy: str,
    seed: int,
    cut: float,
    choice: tuple[float, str],
) -> None:
    """The same events give the same effects, also after snapshot/restore part-way."""
    config = make_config(strategy, choice=choice)
    stream, outputs, _, _ = run(config, program, seed)
    replay = Engine(config, seed=seed)
    split = int(len(stream) * cut)
    for (now, event), expected in zip(stream[:split], outputs[:split], strict=True):
        assert [e.to_dict() for e in replay.apply(event, now)] == expected
    restored = Engine.restore(json.loads(json.dumps(replay.snapshot())))
    for (now, event), expected in zip(stream[split:], outputs[split:], strict=True):
        assert [e.to_dict() for e in restored.apply(event, now)] == expected
    assert json.dumps(restored.snapshot()) == json.dumps(
        Engine.restore(restored.snapshot()).snapshot()
    )
