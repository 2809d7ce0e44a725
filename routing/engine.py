"""The ACD engine: a deterministic state machine, `apply(event, now) -> effects`.

No clock, no I/O; randomness only from the seeded random.Random kept (and snapshotted) here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from routing import effects as fx
from routing import events as ev
from routing.commands import TaskCommands
from routing.config import RoutingConfig
from routing.estimate import EstimatedWait, WaitingTask, estimate_seconds
from routing.pools import Lane
from routing.snapshot import restore_state, snapshot_state
from routing.state import AgentRecord
from routing.trace import TraceEntry
from routing.views import AgentView, TaskView

DAY_SECONDS = 86_400.0


class Engine(TaskCommands):
    """Apply events in order; every timer due at `now` fires first, so late commands lose."""

    def __init__(self, config: RoutingConfig, seed: int = 0) -> None:
        super().__init__(config, seed)
        self._handlers: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.AgentSignedIn: self._signed_in,
            ev.AgentUpdated: self._updated,
            ev.AgentStateRequested: self._state_requested,
            ev.AgentSignedOut: lambda e: self._sign_out(e.agent_id),
            ev.TaskSubmitted: self._submitted,
            ev.OfferAccepted: self._accepted,
            ev.OfferRejected: lambda e: self._not_accepted(e.reservation_id, "rejected"),
            ev.TaskCanceled: self._canceled,
            ev.TaskCompleted: self._completed,
            ev.WrapUpEnded: lambda e: self._wrap_up_ended(e.agent_id, e.task_id),
            ev.TaskTransferred: self._transferred,
            ev.TaskRequeued: self._requeued,
            ev.Tick: lambda e: None,
            ev.ConfigChanged: lambda e: self._reconfigure(e.config),
        }
        self._timer_handlers: dict[str, Callable[[str], None]] = {
            "offer": lambda ref: self._not_accepted(ref, "expired"),
            "step": self._step_timeout,
            "wrapup": lambda ref: self._wrap_up_ended(*ref.split("\x1f", 1)),
            "hold": self._hold_over,
            "maxwait": self._max_wait,
        }

    # -- public API ----------------------------------------------------------------------

    def apply(self, event: ev.Event, now: float) -> list[fx.Effect]:
        self.now = now
        self.out = []
        self._roll_day(now)
        while (due := self.timers.pop_due(now)) is not None:
            self._timer_handlers[due[0]](due[1])
        self._handlers[type(event)](event)
        self._report_states()
        return self.out

    def reconfigure(self, config: RoutingConfig) -> list[fx.Effect]:
        return self.apply(ev.ConfigChanged(config), self.now)

    def next_deadline(self) -> float | None:
        return self.timers.next_deadline()

    def trace(self, task_id: str) -> list[TraceEntry]:
        return self.traces.entries(task_id)

    def ignored(self) -> list[TraceEntry]:
        """Commands that named unknown agents, tasks or reservations (most recent last)."""
        return list(self.traces.ignored)

    def agent(self, agent_id: str) -> AgentView | None:
        agent = self.agents.get(agent_id)
        return None if agent is None else AgentView.of(agent)

    def task(self, task_id: str) -> TaskView | None:
        task = self.tasks.get(task_id)
        return None if task is None else TaskView.of(task)

    def waiting(self, queue_id: str) -> list[WaitingTask]:
        entries: list[tuple[tuple[Any, ...], str, str]] = []
        slots: dict[tuple[str, str], int] = {}
        for lane in self.index.queue_lanes.get(queue_id, ()):
            for channel, pool in lane.pools.items():
                slots[(lane.key, channel)] = self._slots(lane, channel)
                entries.extend((entry, lane.key, channel) for entry in pool.tasks)
        entries.sort()
        average = self.handle_times.average(queue_id)
        result = []
        for position, (entry, lane_key, channel) in enumerate(entries, start=1):
            task = self.tasks[entry[-1]]
            ewt = estimate_seconds(position, average, slots[(lane_key, channel)])
            age = self.now - task.created_at
            result.append(WaitingTask(task.task_id, queue_id, position, task.priority, age, ewt))
        return result

    def estimated_wait(self, task_id: str) -> EstimatedWait | None:
        """Position (1-based) and EWT for a waiting or held task; None once offered."""
        task = self.tasks.get(task_id)
        lane = None if task is None else self.lane_of(task)
        if task is None or lane is None or task.status not in ("waiting", "held"):
            return None
        position = self.position(task) if task.status == "waiting" else 1
        average = self.handle_times.average(task.queue_id)
        ewt = estimate_seconds(position, average, self._slots(lane, task.channel))
        return EstimatedWait(task_id, task.queue_id, position, ewt)

    def _slots(self, lane: Lane, channel: str) -> int:
        """Concurrent tasks of this channel the lane's signed-in, not-on-break agents can hold."""
        total = 0
        for agent_id in lane.eligible:
            agent = self.agents[agent_id]
            if agent.presence == "available":
                total += self.profile(agent).limits.get(channel, 0)
        return total

    def snapshot(self) -> dict[str, Any]:
        return snapshot_state(self)

    @classmethod
    def restore(cls, data: dict[str, Any]) -> Engine:
        engine = cls(RoutingConfig.from_dict(data["config"]))
        restore_state(engine, data)
        engine.rebuild()
        return engine

    # -- bookkeeping -----------------------------------------------------------------------

    def _roll_day(self, now: float) -> None:
        # "Handled today" restarts at each UTC day boundary of the driver's clock.
        day = int(now // DAY_SECONDS)
        if self.day is None:
            self.day = day
        elif day > self.day:
            self.day = day
            for agent in self.agents.values():
                agent.handled_today = 0
                self.place(agent)

    def _report_states(self) -> None:
        for agent_id in self.touched:
            agent = self.agents[agent_id]
            state, reason = agent.derived_state()
            if (state, reason) != (agent.reported_state, agent.reported_reason):
                agent.reported_state, agent.reported_reason = state, reason
                self.out.append(fx.AgentStateChanged(agent_id, state, reason, self.now))
        self.touched = {}

    def rebuild(self) -> None:
        """Recreate every index from the records (after restore or a config change)."""
        self._use_config(self.config)
        for task in self.tasks.values():
            lane = self.lane_of(task) if task.status == "waiting" else None
            if lane is not None:
                self.pool_of(lane, task.channel).add_task(self.entry(task))
        for agent in self.agents.values():
            self.index.place(agent, self.profile(agent))

    # -- agents ----------------------------------------------------------------------------

    def _signed_in(self, event: ev.AgentSignedIn) -> None:
        agent = self.agents.get(event.agent_id)
        if agent is None:
            agent = AgentRecord(event.agent_id, {}, {}, None, presence="offline")
            self.agents[event.agent_id] = agent
        agent.skills, agent.attributes = dict(event.skills), dict(event.attributes)
        agent.capacity = event.capacity
        self.index.refresh_eligibility(agent)
        if agent.presence != "available":
            agent.presence, agent.break_reason = "available", None
            agent.idle_since = self.now
            agent.missed_in_row = 0
        self.place(agent)
        self.route_agent(agent)

    def _updated(self, event: ev.AgentUpdated) -> None:
        agent = self.agents.get(event.agent_id)
        if agent is None:
            self._ignore(event.agent_id, "agent update for an unknown agent")
            return
        agent.skills, agent.attributes = dict(event.skills), dict(event.attributes)
        agent.capacity = event.capacity
        self.index.refresh_eligibility(agent)
        self.place(agent)
        self.route_agent(agent)

    def _state_requested(self, event: ev.AgentStateRequested) -> None:
        agent = self.agents.get(event.agent_id)
        if agent is None:
            self._ignore(event.agent_id, f"state {event.state} requested by an unknown agent")
            return
        if event.state == "offline":
            self._sign_out(agent.agent_id)
        elif event.state == "break":
            self._go_on_break(agent, event.reason or "break")
        elif agent.presence != "available":
            agent.presence, agent.break_reason = "available", None
            agent.idle_since = self.now
            agent.missed_in_row = 0
            self.place(agent)
            self.route_agent(agent)

    def _sign_out(self, agent_id: str) -> None:
        agent = self.agents.get(agent_id)
        if agent is None or agent.presence == "offline":
            self._ignore(agent_id, "sign-out of an unknown or offline agent")
            return
        agent.presence, agent.break_reason = "offline", None
        for task_id in list(agent.wrap_ups):
            self.timers.cancel("wrapup", f"{agent_id}\x1f{task_id}")
        agent.wrap_ups.clear()
        self.place(agent)
        self._release_holds(agent)
        # Offers move on; assigned contacts stay with the agent until they are completed.
        for reservation_id in list(agent.offers):
            reservation = self.reservations[reservation_id]
            self.rescind(reservation, "agent_offline")
            self.route_task(self.tasks[reservation.task_id])

    # -- configuration -------------------------------------------------------------------

    def _reconfigure(self, config: RoutingConfig) -> None:
        waiting = [task for task in self.tasks.values() if task.status in ("waiting", "held")]
        for task in waiting:
            self._detach(task, "canceled")
        self.config = config
        self.rebuild()
        for task in waiting:
            plan = self.plans.get(task.plan_id)
            keep = plan is not None and task.step_index < len(plan.steps)
            if keep and (task.transferred or task.queue_id in self.queues):
                self.route_task(task)
                continue
            context = {**task.attributes, "channel": task.channel, "priority": task.base_priority}
            new_plan, why = self._choose_plan(context)
            if new_plan is None:
                self._exit(task, "message", "")
                continue
            task.plan_id, task.transferred = new_plan.id, False
            task.max_wait_seconds = new_plan.max_wait_seconds
            self.traces.add(self.now, task.task_id, "step", f"plan changed: {why}")
            if self._enter_step(task, 0):
                self._queue(task)
        for agent in list(self.agents.values()):
            self.route_agent(agent)
