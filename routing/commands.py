"""Commands on a task in progress: accept, reject, cancel, complete, transfer, requeue.

Each one either applies or, for a stale reservation or task, is ignored with a trace note.
"""

from __future__ import annotations

from routing import effects as fx
from routing import events as ev
from routing.lifecycle import TaskFlow
from routing.state import AgentRecord, TaskRecord


class TaskCommands(TaskFlow):
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
        self.timers.set("maxwait", task.task_id, self.now + task.max_wait_seconds)

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
        plan = self.plans.get(task.plan_id)
        if task.transferred or plan is None or task.step_index >= len(plan.steps):
            # Pinned by a transfer, or its plan changed under it: back to the same queue.
            if task.queue_id in self.queues:
                self._queue(task)
            else:
                self._exit(task, "message", "")
        elif self._enter_step(task, task.step_index):
            self._queue(task)
