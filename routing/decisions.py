"""Routing decisions: match a waiting task to a free agent (and back), make offers, explain why.

The Matcher holds state and indexes; lifecycle.py, commands.py and engine.py add the events.
"""

from __future__ import annotations

import bisect
import random
from itertools import accumulate
from typing import Any

from routing import capacity, strategies
from routing import effects as fx
from routing.config import CapacityProfile, Queue, RoutingConfig, RoutingPlan
from routing.cover import Cover
from routing.estimate import HandleTimes
from routing.expression import Expr, always, parse
from routing.pools import Index, Lane, Pool, TaskEntry
from routing.state import AgentRecord, Reservation, TaskRecord
from routing.timers import Timers
from routing.trace import TOP_CANDIDATES, CandidateNote, TraceLog

SAMPLE_SCAN = 12  # agents looked at when explaining why nobody could take a task
SAMPLE_NOTES = 3  # notes kept per kind (busy, ruled out by the expression)
EXCLUDED_SCAN = 16  # tasks skipped (rejected by this agent) before giving up on a pool


class Matcher:
    def __init__(self, config: RoutingConfig, seed: int = 0) -> None:
        # Routing fairness, not security: a seeded, replayable generator is the point.
        self.rng = random.Random(seed)  # noqa: S311
        self.agents: dict[str, AgentRecord] = {}
        self.tasks: dict[str, TaskRecord] = {}
        self.reservations: dict[str, Reservation] = {}
        self.timers = Timers()
        self.traces = TraceLog()
        self.handle_times = HandleTimes()
        self.rr_pointers: dict[str, str] = {}
        self.counter = 0
        self.day: int | None = None
        self.now = 0.0
        self.out: list[fx.Effect] = []
        self.touched: dict[str, None] = {}
        self._use_config(config)

    # -- configuration and indexes -------------------------------------------------------

    def _use_config(self, config: RoutingConfig) -> None:
        self.config = config
        self.queues: dict[str, Queue] = {queue.id: queue for queue in config.queues}
        self.plans: dict[str, RoutingPlan] = {plan.id: plan for plan in config.plans}
        # Priority a task has in each step: the steps' priority changes accumulate.
        self.step_priority: dict[str, list[int]] = {
            plan.id: list(accumulate(step.priority_change for step in plan.steps))
            for plan in config.plans
        }
        self.plan_order: list[tuple[RoutingPlan, Expr]] = [
            (plan, parse(plan.filter) if plan.filter else always())
            for plan in config.plans_in_order()
        ]
        self.aging = config.priority_aging_seconds
        self.preference = config.skill_preference_seconds
        self.agent_choice = config.agent_choice
        self.cover_pressure = config.cover_pressure_seconds
        # The default needs no per-agent rank: the pools' own keys compare directly.
        self.plain_choice = self.preference == 0 and self.agent_choice == "best_ranked"
        # A plan choice depends only on the values of the names the filters read, so it is
        # memoised by those values: 50 filters cost one dict lookup per arrival.
        names = sorted({name for _, expr in self.plan_order for name in expr.names})
        self.plan_readers = [parse(name).evaluate for name in names]
        self.plan_memo: dict[tuple[Any, ...], tuple[RoutingPlan | None, str]] = {}
        self.index = Index()
        self.cover = Cover(self.index)
        for plan in config.plans:
            for step in plan.steps:
                if step.queue_id is not None:
                    self.index.lane(self.queues[step.queue_id], step.expression or "", self.agents)
        for queue in config.queues:
            self.index.lane(queue, "", self.agents)
        # Later lanes serve a task's step expression from an older config; they stay until the
        # next config change, and restore() rebuilds them only for waiting tasks.
        self.config_lanes = frozenset(self.index.lanes)

    def profile(self, agent: AgentRecord) -> CapacityProfile:
        return agent.capacity or self.config.default_capacity

    def lane_of(self, task: TaskRecord) -> Lane | None:
        queue = self.queues.get(task.queue_id)
        if queue is None:
            return None
        return self.index.lane(queue, task.step_expression, self.agents)

    def pool_of(self, lane: Lane, channel: str) -> Pool:
        pool, created = self.index.pool(lane, channel)
        if created:
            self.index.place_in_pool(pool, self.agents, self.profile)
        return pool

    def entry(self, task: TaskRecord) -> TaskEntry:
        # Aging as a static key: one priority point is worth `aging` seconds of waiting, so
        # ranking by created_at - priority * aging never needs re-sorting as time passes.
        if self.aging is None:
            primary = -float(task.priority)
        else:
            primary = task.created_at - task.priority * self.aging
        return (primary, task.created_at, task.seq, task.task_id)

    def place(self, agent: AgentRecord) -> None:
        self.index.place(agent, self.profile(agent))
        self.touched[agent.agent_id] = None

    def position(self, task: TaskRecord) -> int:
        """1-based rank among the waiting tasks of the task's queue (all lanes and channels)."""
        entry = self.entry(task)
        ahead = 0
        for lane in self.index.queue_lanes.get(task.queue_id, ()):
            for pool in lane.pools.values():
                ahead += bisect.bisect_left(pool.tasks, entry)
        return ahead + 1

    def _ignore(self, ref: str, why: str) -> None:
        self.traces.ignore(self.now, ref, why)

    # -- offers --------------------------------------------------------------------------

    def offer(
        self, task: TaskRecord, agent: AgentRecord, queue: Queue, trace_id: str, place: bool = True
    ) -> None:
        self.counter += 1
        reservation_id = f"r{self.counter}"
        expires_at = self.now + queue.offer_timeout_seconds
        self.reservations[reservation_id] = Reservation(
            reservation_id,
            task.task_id,
            agent.agent_id,
            queue.id,
            expires_at,
            task.channel,
            trace_id,
        )
        task.status = "offered"
        task.reservation_id = reservation_id
        task.agent_id = agent.agent_id
        agent.offers.append(reservation_id)
        agent.held[task.channel] = agent.held.get(task.channel, 0) + 1
        self.timers.set("offer", reservation_id, expires_at)
        if queue.strategy == "round_robin":
            self.rr_pointers[queue.id] = agent.agent_id
        if place:
            self.place(agent)
        else:
            self.touched[agent.agent_id] = None
        self.out.append(
            fx.OfferCreated(
                reservation_id,
                task.task_id,
                agent.agent_id,
                queue.id,
                expires_at,
                task.channel,
                trace_id,
            )
        )

    def rescind(self, reservation: Reservation, reason: str) -> AgentRecord:
        """Withdraw an offer; the task is left unplaced for the caller to route."""
        self.reservations.pop(reservation.reservation_id, None)
        self.timers.cancel("offer", reservation.reservation_id)
        agent = self.agents[reservation.agent_id]
        agent.offers.remove(reservation.reservation_id)
        agent.held[reservation.channel] -= 1
        if not agent.offers and not agent.tasks and not agent.wrap_ups:
            agent.idle_since = self.now
        task = self.tasks[reservation.task_id]
        task.status = "new"
        task.reservation_id = None
        task.agent_id = None
        trace_id = self.traces.add(
            self.now, task.task_id, "rescinded", f"offer to {agent.agent_id} rescinded: {reason}"
        )
        self.out.append(
            fx.OfferRescinded(
                reservation.reservation_id, task.task_id, agent.agent_id, reason, trace_id
            )
        )
        self.place(agent)
        return agent

    # -- task looks for an agent ---------------------------------------------------------

    def route_task(self, task: TaskRecord) -> None:
        """Offer the task to the best free agent of its lane, or leave it waiting in order."""
        lane = self.lane_of(task)
        if lane is None:
            self.traces.add(self.now, task.task_id, "waiting", f"queue {task.queue_id} is gone")
            task.status = "waiting"
            return
        queue = lane.queue
        pool = self.pool_of(lane, task.channel)
        excluded = task.excluded
        agents = self.agents

        def acceptable(agent_id: str) -> bool:
            return agent_id not in excluded

        def weight(agent_id: str) -> int:
            return max(1, strategies.skill_level(agents[agent_id], queue.skill))

        winner, skipped = strategies.choose(
            queue.strategy,
            pool.agents,
            acceptable,
            rng=self.rng,
            pointer=self.rr_pointers.get(queue.id, ""),
            weight=weight,
            spare=lambda agent_id: self.spare(agent_id, queue.id, task.channel),
        )
        if winner is None:
            task.status = "waiting"
            ahead = pool.add_task(self.entry(task))
            counts = {"eligible": len(lane.eligible), "free": len(pool.agents), "ahead": ahead}
            if pool.tasks[0][-1] != task.task_id and not skipped:
                # Tasks ahead already record why no agent could take them; the same holds here.
                summary = f"waits behind {ahead} task(s) in {queue.id}: no free eligible agent"
                self.traces.add(self.now, task.task_id, "waiting", summary, counts=counts)
                return
            self.traces.add(
                self.now,
                task.task_id,
                "waiting",
                f"no free agent in {queue.id} can take this {task.channel} task; waits in order",
                candidates=self._why_not(task, lane, pool, skipped),
                counts=counts,
            )
            return
        agent = agents[winner[-1]]
        why = strategies.describe(queue.strategy, winner)
        if queue.strategy == "least_needed":
            left = self.spare(agent.agent_id, queue.id, task.channel)
            why += (
                "; serves no other queue"
                if left >= strategies.NOT_NEEDED
                else (f"; {left} other free agent(s) still cover its other queues")
            )
        trace_id = self.traces.add(
            self.now,
            task.task_id,
            "offer",
            f"offered to {agent.agent_id} in {queue.id}: {why}",
            candidates=self._ranked_notes(queue, pool, winner, skipped),
            counts={"eligible": len(lane.eligible), "free": len(pool.agents)},
        )
        self.offer(task, agent, queue, trace_id)

    def spare(self, agent_id: str, queue_id: str, channel: str) -> int:
        """Free agents left for the agent's least-covered other queue if it takes this task.

        Keeping flexible agents free where few others could step in is how a skills chain
        pools: the agent whose other queues are best covered is the one least needed there.
        """
        least = strategies.NOT_NEEDED
        for lane in self.index.agent_lanes.get(agent_id, ()):
            # Only what follows from the records and the config counts, so a restored engine
            # picks the same agent: the config's lanes (not leftovers of an older config's
            # step expression), and their pool built if missing (a pool exists once a task of
            # its channel came by, and restore() rebuilds only the pools of waiting tasks).
            if lane.queue.id != queue_id and lane.key in self.config_lanes:
                pool = self.pool_of(lane, channel)
                least = min(least, len(pool.agents) - (agent_id in pool.agent_keys))
        return least

    def _ranked_notes(
        self, queue: Queue, pool: Pool, winner: tuple[Any, ...], skipped: list[str]
    ) -> tuple[CandidateNote, ...]:
        notes = [CandidateNote(winner[-1], True, f"winner by {queue.strategy}", winner)]
        notes.extend(
            CandidateNote(agent_id, False, "rejected or missed this task before")
            for agent_id in skipped[:TOP_CANDIDATES]
        )
        start = bisect.bisect_right(pool.agents, winner)
        for key in pool.agents[start : start + TOP_CANDIDATES - 1]:
            notes.append(CandidateNote(key[-1], True, "ranked after the winner", key))
        return tuple(notes)

    def refusal(self, agent: AgentRecord, task: TaskRecord) -> str | None:
        """Why an eligible agent cannot take this task now, or None."""
        if agent.presence == "offline":
            return "state: offline"
        if agent.presence == "break":
            return f"state: break ({agent.break_reason})"
        if agent.wrap_ups:
            return f"wrap-up until {max(agent.wrap_ups.values()):g}"
        reason = capacity.refusal(self.profile(agent), agent.held, task.channel)
        if reason is not None:
            return reason
        if agent.agent_id in task.excluded:
            return "rejected or missed this task before"
        return None

    def _why_not(
        self, task: TaskRecord, lane: Lane, pool: Pool, skipped: list[str]
    ) -> tuple[CandidateNote, ...]:
        # Bounded on purpose: a small sample of eligible-but-busy agents and of agents the
        # expression rules out, never a scan of the whole floor.
        notes = [CandidateNote(a, False, "rejected or missed this task before") for a in skipped]
        del notes[SAMPLE_NOTES:]
        busy = 0
        for count, agent_id in enumerate(lane.eligible):
            if busy >= SAMPLE_NOTES or count >= SAMPLE_SCAN:
                break
            if agent_id not in pool.agent_keys:
                reason = self.refusal(self.agents[agent_id], task) or "not free"
                notes.append(CandidateNote(agent_id, False, reason))
                busy += 1
        ruled_out = 0
        for count, (agent_id, agent) in enumerate(self.agents.items()):
            if ruled_out >= SAMPLE_NOTES or count >= SAMPLE_SCAN:
                break
            if agent_id not in lane.eligible:
                notes.append(CandidateNote(agent_id, False, lane.explain(agent.context())))
                ruled_out += 1
        return tuple(notes)

    # -- agent looks for a task ----------------------------------------------------------

    def route_agent(self, agent: AgentRecord) -> None:
        """While the agent is free and has room, offer them the best task they may take.

        Pool membership is settled once at the end, so an agent freed and immediately given
        new work never churns in and out of the sorted agent lists.
        """
        agent_id = agent.agent_id
        profile = self.profile(agent)
        while agent.routable():
            if agent.held_for and self._offer_held(agent):
                continue
            best: tuple[TaskEntry, Pool] | None = None
            best_rank: TaskEntry = ()
            fits: dict[str, bool] = {}
            plain = self.plain_choice
            for lane in self.index.agent_lanes.get(agent_id, ()):
                for channel, pool in lane.pools.items():
                    if not pool.tasks:
                        continue
                    fit = fits.get(channel)
                    if fit is None:
                        fit = capacity.refusal(profile, agent.held, channel) is None
                        fits[channel] = fit
                    if fit:
                        entry = self._first_for(pool, agent_id)
                        if entry is None:
                            continue
                        rank = entry if plain else self.agent_rank(entry, pool, agent)
                        if best is None or rank < best_rank:
                            best, best_rank = (entry, pool), rank
            if best is None:
                break
            entry, pool = best
            pool.remove_task(entry)
            task = self.tasks[entry[-1]]
            queue = pool.lane.queue
            key = strategies.agent_key(queue.strategy, agent, queue.skill)
            summary = (
                f"{agent_id} became free in {queue.id} and this task was first "
                f"(priority {task.priority}, created {task.created_at:g})"
            )
            if not plain:
                summary += f"; {self._rank_reason(agent, pool)}"
            trace_id = self.traces.add(
                self.now,
                task.task_id,
                "offer",
                summary,
                candidates=(CandidateNote(agent_id, True, "free agent", key),),
                counts={"waiting_in_pool": len(pool.tasks) + 1},
            )
            self.offer(task, agent, queue, trace_id, place=False)
        self.place(agent)

    def agent_rank(self, entry: TaskEntry, pool: Pool, agent: AgentRecord) -> TaskEntry:
        """How the freed agent ranks the pool's first task (lower first) when a preference is set.

        The task's rank key moves earlier by the agent's level in the queue's skill times
        skill_preference_seconds; longest_queue puts the pool's length (longest first) in front;
        least_covered moves it earlier by cover_pressure_seconds per task competing elsewhere
        for the queue's other agents. The offset is the same for every task of a pool, so the
        order within a queue is untouched.
        """
        offset = strategies.skill_level(agent, pool.lane.queue.skill) * self.preference
        if self.agent_choice == "least_covered":
            offset += self.cover_pressure * self._competing(pool, agent)
        # Aging keys lead with seconds; strict-priority keys lead with -priority, so there the
        # offset moves the created_at that orders tasks of equal priority.
        at = 0 if self.aging is not None else 1
        rank = (*entry[:at], entry[at] - offset, *entry[at + 1 :])
        if self.agent_choice == "longest_queue":
            return (-len(pool.tasks), *rank)
        return rank

    def _competing(self, pool: Pool, agent: AgentRecord) -> float:
        own = {lane.key for lane in self.index.agent_lanes.get(agent.agent_id, ())}
        return self.cover.competing_backlog(pool.lane, pool.channel, own)

    def _rank_reason(self, agent: AgentRecord, pool: Pool) -> str:
        level = strategies.skill_level(agent, pool.lane.queue.skill)
        why = f"skill level {level} x {self.preference:g} s preference"
        if self.agent_choice == "longest_queue":
            why = f"longest queue ({len(pool.tasks) + 1} waiting), then {why}"
        elif self.agent_choice == "least_covered":
            # Called after the task left the pool; the backlog elsewhere did not change.
            competing = self._competing(pool, agent)
            why = (
                f"least covered ({competing:.3g} task(s) wait for this queue's other agents "
                f"elsewhere x {self.cover_pressure:g} s), and {why}"
            )
        return f"ranked for this agent by {why}"

    def _first_for(self, pool: Pool, agent_id: str) -> TaskEntry | None:
        tasks = pool.tasks
        entry = tasks[0]
        if agent_id not in self.tasks[entry[-1]].excluded:
            return entry
        for entry in tasks[1:EXCLUDED_SCAN]:
            if agent_id not in self.tasks[entry[-1]].excluded:
                return entry
        return None

    def _offer_held(self, agent: AgentRecord) -> bool:
        """Offer the best task held for this agent (preferred agent, transfer) if it fits."""
        profile = self.profile(agent)
        held = [self.tasks[task_id] for task_id in agent.held_for]
        for task in sorted(held, key=self.entry):
            if capacity.refusal(profile, agent.held, task.channel) is None:
                queue = self.queues.get(task.queue_id)
                if queue is None:
                    continue
                self.unhold(task)
                trace_id = self.traces.add(
                    self.now, task.task_id, "offer", f"offered to {agent.agent_id}, held for them"
                )
                self.offer(task, agent, queue, trace_id)
                return True
        return False

    def hold(self, task: TaskRecord, agent: AgentRecord, until: float | None) -> None:
        task.status = "held"
        task.held_for = agent.agent_id
        agent.held_for.append(task.task_id)
        if until is not None:
            self.timers.set("hold", task.task_id, until)

    def unhold(self, task: TaskRecord) -> None:
        if task.held_for is not None:
            agent = self.agents.get(task.held_for)
            if agent is not None and task.task_id in agent.held_for:
                agent.held_for.remove(task.task_id)
        task.held_for = None
        task.status = "new"
        self.timers.cancel("hold", task.task_id)
