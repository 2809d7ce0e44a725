"""How a task moves through its routing plan: plan choice, steps, holds, exits and its end.

TaskFlow adds these to the Matcher; routing/commands.py and routing/engine.py build on it.
"""

from __future__ import annotations

from typing import Any

from routing import effects as fx
from routing import events as ev
from routing.config import RoutingPlan
from routing.decisions import Matcher
from routing.state import AgentRecord, TaskRecord

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


class TaskFlow(Matcher):
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
            max_wait_seconds=plan.max_wait_seconds if plan else 600.0,
            queued_at=self.now,
        )
        self.tasks[task.task_id] = task
        summary = f"submitted; plan {task.plan_id or '-'} ({why}); value boost {boost}"
        if plan is None:
            self.traces.add(self.now, task.task_id, "submitted", summary)
            self._exit(task, "message", "")
            return
        self.timers.set("maxwait", task.task_id, self.now + task.max_wait_seconds)
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
        # Every caller routes the agent next, which places them in their pools once.
        self.touched[agent.agent_id] = None
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
