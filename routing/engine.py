"""The ACD engine: a deterministic state machine, `apply(event, now) -> effects`.

No clock, no I/O; randomness only from the seeded random.Random kept (and snapshotted) here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from routing import effects as fx
from routing import events as ev
from routing.config import RoutingConfig, RoutingPlan
from routing.decisions import Matcher
from routing.estimate import EstimatedWait, WaitingTask, estimate_seconds
from routing.pools import Lane
from routing.snapshot import restore_state, snapshot_state
from routing.state import AgentRecord, TaskRecord
from routing.trace import TraceEntry
from routing.views import AgentView, TaskView

DAY_SECONDS = 86_400.0
PLAN_MEMO_LIMIT = 10_000


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a JSON-like value (lists and dicts become tuples)."""
    if value is None or value.__class__ in (str, int, float, bool):
        return value
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    return value


class Engine(Matcher):
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

    def _ignore(self, ref: str, why: str) -> None:
        self.traces.ignore(self.now, ref, why)

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

    def _go_on_break(self, agent: AgentRecord, reason: str) -> None:
        # Offers already ringing stay (the agent may still answer); no new ones arrive.
        agent.presence, agent.break_reason = "break", reason
        self.place(agent)
        self._release_holds(agent)

    def _release_holds(self, agent: AgentRecord) -> None:
        for task_id in list(agent.held_for):
            task = self.tasks[task_id]
            self.unhold(task)
            self.traces.add(self.now, task_id, "hold", f"{agent.agent_id} is not available")
            self.route_task(task)

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

    # -- tasks -------------------------------------------------------------------------

    def _choose_plan(self, task_context: dict[str, Any]) -> tuple[RoutingPlan | None, str]:
        key = tuple([_frozen(read(task_context)) for read in self.plan_readers])
        choice = self.plan_memo.get(key)
        if choice is None:
            choice = self._first_plan(task_context)
            if len(self.plan_memo) < PLAN_MEMO_LIMIT:
                self.plan_memo[key] = choice
        return choice

    def _first_plan(self, task_context: dict[str, Any]) -> tuple[RoutingPlan | None, str]:
        for plan, expr in self.plan_order:
            if expr(task_context):
                return plan, f"filter matched: {expr.text or '(all tasks)'}"
        if self.config.default_plan_id is not None:
            return self.plans[self.config.default_plan_id], "no filter matched; default plan"
        if self.plan_order:
            return self.plan_order[-1][0], "no filter matched; last plan acts as default"
        return None, "no routing plans configured"

    def _submitted(self, event: ev.TaskSubmitted) -> None:
        if event.task_id in self.tasks or event.task_id in self.traces.ended:
            self._ignore(event.task_id, "task submitted twice")
            return
        context = {**event.attributes, "channel": event.channel, "priority": event.priority}
        plan, why = self._choose_plan(context)
        self.counter += 1
        created = self.now if event.created_at is None else event.created_at
        boost = min(max(event.value_boost, 0), plan.max_value_boost if plan else 0)
        task = TaskRecord(
            event.task_id,
            event.channel,
            dict(event.attributes),
            event.priority,
            boost,
            event.preferred_agent_id,
            created,
            plan.id if plan else "",
            self.counter,
            queued_at=self.now,
        )
        self.tasks[task.task_id] = task
        summary = f"submitted; plan {task.plan_id or '-'} ({why}); value boost {boost}"
        if plan is None:
            self.traces.add(self.now, task.task_id, "submitted", summary)
            self._exit(task, "message", "")
            return
        self.timers.set("maxwait", task.task_id, self.now + plan.max_wait_seconds)
        if self._enter_step(task, 0):
            self._queue(task, preferred=True, why=summary)
        else:
            self.traces.add(self.now, task.task_id, "submitted", summary)

    def _enter_step(self, task: TaskRecord, index: int) -> bool:
        """Move the task to step `index`; False when that step exits the task."""
        plan = self.plans[task.plan_id]
        step = plan.steps[index]
        task.step_index = index
        task.excluded = []
        task.step_entered_at = self.now
        task.priority = task.base_priority + task.value_boost + self.step_priority[plan.id][index]
        if step.exit is not None:
            self._exit(task, step.exit, "")
            return False
        task.queue_id = step.queue_id or ""
        task.step_expression = step.expression or ""
        if step.timeout_seconds is not None:
            self.timers.set("step", task.task_id, self.now + step.timeout_seconds)
        else:
            self.timers.cancel("step", task.task_id)
        return True

    def _queue(self, task: TaskRecord, preferred: bool = False, why: str = "") -> None:
        """Announce the task in its queue, then hold it for its preferred agent or route it."""
        self._announce(task, why)
        if preferred and self._hold_for_preferred(task):
            return
        self.route_task(task)

    def _announce(self, task: TaskRecord, why: str = "") -> None:
        summary = f"{why}; " if why else ""
        summary += f"queued in {task.queue_id} (step {task.step_index}, priority {task.priority})"
        trace_id = self.traces.add(self.now, task.task_id, "queued", summary)
        self.out.append(
            fx.TaskQueued(
                task.task_id,
                task.queue_id,
                task.plan_id,
                task.step_index,
                task.priority,
                self.position(task),
                trace_id,
            )
        )

    def _hold_for_preferred(self, task: TaskRecord) -> bool:
        plan = self.plans[task.plan_id]
        agent = self.agents.get(task.preferred_agent_id or "")
        lane = self.lane_of(task)
        if agent is None or lane is None or plan.preferred_agent_seconds <= 0:
            return False
        if agent.presence != "available" or agent.agent_id not in lane.eligible:
            self.traces.add(
                self.now,
                task.task_id,
                "preferred",
                f"preferred agent {agent.agent_id} is not signed in, available and eligible",
            )
            return False
        self.hold(task, agent, self.now + plan.preferred_agent_seconds)
        self.traces.add(
            self.now,
            task.task_id,
            "preferred",
            f"held for preferred agent {agent.agent_id} for {plan.preferred_agent_seconds:g}s",
        )
        self.route_agent(agent)
        return True

    def _hold_over(self, task_id: str) -> None:
        task = self.tasks[task_id]
        if task.status != "held":
            return
        self.unhold(task)
        self.traces.add(self.now, task_id, "preferred", "preferred-agent window over")
        self.route_task(task)

    def _detach(self, task: TaskRecord, reason: str) -> AgentRecord | None:
        """Take a not-yet-assigned task out of routing; return an agent whose offer it freed."""
        if task.status == "waiting":
            lane = self.lane_of(task)
            if lane is not None:
                self.pool_of(lane, task.channel).remove_task(self.entry(task))
        elif task.status == "held":
            self.unhold(task)
        elif task.status == "offered" and task.reservation_id is not None:
            return self.rescind(self.reservations[task.reservation_id], reason)
        task.status = "new"
        return None

    def _release_agent(self, task: TaskRecord, wrap_up: bool) -> AgentRecord:
        """The agent stops holding an assigned task (wrap-up per queue when asked)."""
        agent = self.agents[task.agent_id or ""]
        agent.tasks.remove(task.task_id)
        agent.held[task.channel] -= 1
        queue = self.queues.get(task.queue_id)
        wrap_seconds = queue.wrap_up_seconds if queue is not None and wrap_up else 0.0
        if agent.presence != "offline" and wrap_seconds > 0:
            ends_at = self.now + wrap_seconds
            agent.wrap_ups[task.task_id] = ends_at
            self.timers.set("wrapup", f"{agent.agent_id}\x1f{task.task_id}", ends_at)
            self.out.append(fx.WrapUpStarted(agent.agent_id, task.task_id, ends_at))
        elif not agent.tasks and not agent.offers and not agent.wrap_ups:
            agent.idle_since = self.now
        self.handle_times.record(task.queue_id, self.now - task.assigned_at + wrap_seconds)
        task.agent_id = None
        task.status = "new"
        self.place(agent)
        return agent

    def _end(self, task: TaskRecord, outcome: str) -> None:
        for kind in ("step", "hold", "maxwait"):
            self.timers.cancel(kind, task.task_id)
        trace_id = self.traces.add(self.now, task.task_id, "ended", outcome)
        self.out.append(fx.TaskEnded(task.task_id, outcome, trace_id))
        del self.tasks[task.task_id]
        self.traces.close(task.task_id)

    def _exit(self, task: TaskRecord, exit_: str, trace_id: str) -> None:
        freed = self._detach(task, "exited")
        trace_id = self.traces.add(self.now, task.task_id, "exit", f"exit {exit_}")
        self.out.append(fx.TaskExited(task.task_id, exit_, task.queue_id, trace_id))
        self._end(task, "exited")
        if freed is not None:
            self.route_agent(freed)

    def _accepted(self, event: ev.OfferAccepted) -> None:
        reservation = self.reservations.pop(event.reservation_id, None)
        if reservation is None:
            self._ignore(event.reservation_id, "accept of an unknown or finished offer")
            return
        self.timers.cancel("offer", reservation.reservation_id)
        task = self.tasks[reservation.task_id]
        agent = self.agents[reservation.agent_id]
        for kind in ("step", "hold", "maxwait"):
            self.timers.cancel(kind, task.task_id)
        agent.offers.remove(reservation.reservation_id)
        agent.tasks.append(task.task_id)
        agent.missed_in_row = 0
        agent.handled_today += 1
        task.status = "assigned"
        task.reservation_id = None
        task.queue_id = reservation.queue_id
        task.assigned_at = self.now
        waited = self.now - task.queued_at
        trace_id = self.traces.add(
            self.now, task.task_id, "assigned", f"{agent.agent_id} accepted after {waited:g}s"
        )
        self.out.append(
            fx.TaskAssigned(
                reservation.reservation_id,
                task.task_id,
                agent.agent_id,
                reservation.queue_id,
                waited,
                trace_id,
            )
        )
        self.place(agent)
        self.route_agent(agent)

    def _not_accepted(self, reservation_id: str, reason: str) -> None:
        """Reject or expiry: the offer moves on; too many in a row sends the agent on break."""
        reservation = self.reservations.get(reservation_id)
        if reservation is None:
            self._ignore(reservation_id, f"{reason} for an unknown or finished offer")
            return
        agent = self.rescind(reservation, reason)
        task = self.tasks[reservation.task_id]
        task.excluded.append(agent.agent_id)
        agent.missed_in_row += 1
        queue = self.queues.get(reservation.queue_id)
        limit = queue.max_missed_offers if queue is not None else 0
        if limit and agent.missed_in_row >= limit and agent.presence == "available":
            agent.missed_in_row = 0
            self._go_on_break(agent, "missed_offer")
        self.route_task(task)
        self.route_agent(agent)

    def _canceled(self, event: ev.TaskCanceled) -> None:
        task = self.tasks.get(event.task_id)
        if task is None:
            self._ignore(event.task_id, f"cancel ({event.reason}) of an unknown or ended task")
            return
        self.traces.add(self.now, task.task_id, "canceled", event.reason)
        if task.status == "assigned":
            agent: AgentRecord | None = self._release_agent(task, wrap_up=True)
        else:
            agent = self._detach(task, "canceled")
        self._end(task, "canceled")
        if agent is not None:
            self.route_agent(agent)

    def _completed(self, event: ev.TaskCompleted) -> None:
        task = self.tasks.get(event.task_id)
        if task is None or task.status != "assigned":
            self._ignore(event.task_id, "completion of a task that is not assigned")
            return
        agent = self._release_agent(task, wrap_up=True)
        self._end(task, "completed")
        self.route_agent(agent)

    def _wrap_up_ended(self, agent_id: str, task_id: str) -> None:
        agent = self.agents.get(agent_id)
        if agent is None or task_id not in agent.wrap_ups:
            self._ignore(task_id, f"wrap-up end for {agent_id} who is not wrapping it up")
            return
        del agent.wrap_ups[task_id]
        self.timers.cancel("wrapup", f"{agent_id}\x1f{task_id}")
        if not agent.tasks and not agent.offers and not agent.wrap_ups:
            agent.idle_since = self.now
        self.place(agent)
        self.route_agent(agent)

    def _take_back(self, task: TaskRecord, reason: str) -> AgentRecord | None:
        """Detach a task from wherever it is; an assigned one frees its agent after wrap-up."""
        if task.status == "assigned":
            return self._release_agent(task, wrap_up=True)
        return self._detach(task, reason)

    def _restart_wait(self, task: TaskRecord) -> None:
        task.queued_at = self.now
        task.excluded = []
        plan = self.plans.get(task.plan_id)
        if plan is not None:
            self.timers.set("maxwait", task.task_id, self.now + plan.max_wait_seconds)

    def _transferred(self, event: ev.TaskTransferred) -> None:
        task = self.tasks.get(event.task_id)
        if task is None:
            self._ignore(event.task_id, "transfer of an unknown or ended task")
            return
        target_queue = event.to_queue_id
        target_agent = self.agents.get(event.to_agent_id or "")
        if target_queue is not None and target_queue not in self.queues:
            self._ignore(event.task_id, f"transfer to unknown queue {target_queue}")
            return
        if event.to_agent_id is not None and target_agent is None:
            self._ignore(event.task_id, f"transfer to unknown agent {event.to_agent_id}")
            return
        self.traces.add(self.now, task.task_id, "transfer", event.reason or "transferred")
        freed = self._take_back(task, "canceled")
        if freed is not None:
            # The freed agent first takes the best task already waiting, keeping queue order.
            self.route_agent(freed)
        if target_queue is None and target_agent is None:
            self._end(task, "transferred_out")
        else:
            # A transfer pins the task: no more plan step timeouts, a fresh maximum wait.
            task.transferred = True
            self.timers.cancel("step", task.task_id)
            self._restart_wait(task)
            if target_queue is not None:
                task.queue_id, task.step_expression = target_queue, ""
                self._queue(task)
            elif target_agent is not None:
                self._announce(task, f"transferred to {target_agent.agent_id}")
                self.hold(task, target_agent, None)
                if target_agent.presence == "available":
                    self.route_agent(target_agent)
                else:
                    self._release_holds(target_agent)

    def _requeued(self, event: ev.TaskRequeued) -> None:
        task = self.tasks.get(event.task_id)
        if task is None or task.status not in ("offered", "assigned"):
            self._ignore(event.task_id, "requeue of a task that is not with an agent")
            return
        self.traces.add(self.now, task.task_id, "requeued", event.reason or "requeued")
        freed = self._take_back(task, "canceled")
        if freed is not None:
            self.route_agent(freed)
        self._restart_wait(task)
        if task.transferred or self._enter_step(task, task.step_index):
            self._queue(task)

    def _step_timeout(self, task_id: str) -> None:
        task = self.tasks[task_id]
        plan = self.plans.get(task.plan_id)
        if plan is None or task.step_index + 1 >= len(plan.steps):
            self.traces.add(self.now, task_id, "step", "last step timed out; waits for max wait")
            return
        old = task.step_index
        timeout = plan.steps[old].timeout_seconds or 0
        was = task.status
        if was == "waiting":
            self._detach(task, "canceled")
        reason = f"timeout {timeout:g}s"
        trace_id = self.traces.add(self.now, task_id, "step", f"step {old} -> {old + 1}: {reason}")
        self.out.append(fx.StepChanged(task_id, old, old + 1, reason, trace_id))
        if not self._enter_step(task, old + 1):
            return
        if was == "waiting":
            self._queue(task)
        # An offered or held task keeps its offer or hold; it enters the new lane if that fails.

    def _max_wait(self, task_id: str) -> None:
        task = self.tasks[task_id]
        self._exit(task, "max_wait", "")

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
            self.traces.add(self.now, task.task_id, "step", f"plan changed: {why}")
            if self._enter_step(task, 0):
                self._queue(task)
        for agent in list(self.agents.values()):
            self.route_agent(agent)
