"""What web processes and webhooks may do to routing: submit, accept, end, configure.

Everything is an appended command; reads come from the router's Redis projections.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from sqlalchemy import event
from sqlalchemy.orm import Session

from contactcentre.router.commands import RoutingCommands
from contactcentre.router.config_loader import load_routing_config
from contactcentre.router.streams import AGENT_STATE, RESERVATION, TASK, WAITING
from contactcentre.router.tasks import task_submitted
from contactcentre.store.models import Agent, Interaction
from routing import events as ev
from routing.config import CapacityProfile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reservation:
    reservation_id: str
    agent_id: str
    task_id: str
    state: str
    expires_at: float


# Run after a submitting transaction commits, before its commands are sent, with the session,
# the client's Redis and the submitted task ids. cti pre-builds the screen pops here, so an
# offer only reads them (contactcentre.cti.wiring.install_pop_prebuild).
SubmissionHook = Callable[[Session, redis.Redis, list[str]], None]
_SUBMISSION_HOOKS: list[SubmissionHook] = []


def on_tasks_submitted(hook: SubmissionHook) -> None:
    """Register `hook` for every client of this process (once, however often it is asked)."""
    if hook not in _SUBMISSION_HOOKS:
        _SUBMISSION_HOOKS.append(hook)


class RoutingClient:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self.commands = RoutingCommands(client)

    # -- tasks ---------------------------------------------------------------------------

    def submit(
        self,
        session: Session,
        interaction: Interaction,
        attributes: dict[str, Any],
        *,
        priority: int,
        at: datetime,
    ) -> None:
        """Ask the router to route `interaction` (any channel), once the caller commits.

        `attributes` are the routing attributes (private ones are dropped, the customer's
        defaults added: contactcentre.router.tasks); the interaction row is not changed.
        """
        self.send_after_commit(
            session, task_submitted(session, interaction, attributes, priority=priority, at=at)
        )

    def assigned_agent(self, task_id: str) -> str | None:
        """The agent the router assigned the task to (Redis projection; ahead of SQL)."""
        agent_id: Any = self._redis.hget(TASK + task_id, "agent_id")
        return None if agent_id is None else str(agent_id)

    def complete(self, task_id: str) -> None:
        self.commands.send(ev.TaskCompleted(task_id))

    def cancel(self, task_id: str, reason: str) -> None:
        self.commands.send(ev.TaskCanceled(task_id, reason))

    def transfer(
        self, task_id: str, *, queue_id: str | None, agent_id: str | None, reason: str
    ) -> None:
        self.commands.send(
            ev.TaskTransferred(task_id, to_queue_id=queue_id, to_agent_id=agent_id, reason=reason)
        )

    def requeue(self, task_id: str, reason: str) -> None:
        self.commands.send(ev.TaskRequeued(task_id, reason))

    def estimate(self, task_id: str) -> dict[str, Any] | None:
        """Position and estimated wait of a waiting task (refreshed by the router every second)."""
        data: Any = self._redis.hgetall(WAITING + task_id)
        if not data:
            return None
        ewt = data.get("ewt_seconds")
        return {
            "queue_id": data["queue_id"],
            "position": int(data["position"]),
            "ewt_seconds": float(ewt) if ewt else None,
        }

    # -- offers ----------------------------------------------------------------------------

    def reservation(self, reservation_id: str) -> Reservation | None:
        data: Any = self._redis.hgetall(RESERVATION + reservation_id)
        if not data:
            return None
        return Reservation(
            reservation_id,
            data["agent_id"],
            data["task_id"],
            data["state"],
            float(data["expires_at"]),
        )

    def accept(self, reservation_id: str) -> None:
        self.commands.send(ev.OfferAccepted(reservation_id))

    def reject(self, reservation_id: str, reason: str | None) -> None:
        self.commands.send(ev.OfferRejected(reservation_id, reason))

    # -- agents ------------------------------------------------------------------------------

    def agent_state(self, agent_id: int) -> dict[str, Any]:
        data: Any = self._redis.hgetall(AGENT_STATE + str(agent_id))
        if not data:
            return {"state": "offline", "reason": None, "since": None}
        return {
            "state": data["state"],
            "reason": data["reason"] or None,
            "since": float(data["since"]),
        }

    def set_agent_state(self, agent: Agent, state: str, reason: str | None) -> None:
        current = self.agent_state(agent.id)["state"]
        if state == "available" and current == "offline":
            self.commands.send(
                ev.AgentSignedIn(
                    str(agent.id),
                    skills=agent.skill_levels(),
                    attributes=dict(agent.attributes),
                    capacity=CapacityProfile.from_dict(agent.capacity) if agent.capacity else None,
                )
            )
        else:
            self.commands.send(ev.AgentStateRequested(str(agent.id), state, reason))

    def send_after_commit(self, session: Session, command: ev.Event) -> None:
        """Send once the caller's transaction commits (never if it rolls back).

        The router's effects are written back to SQL rows this transaction creates; sent any
        earlier, the router could act before those rows are visible to other connections.
        """
        pending: list[ev.Event] | None = session.info.get("routing_commands")
        if pending is None:
            pending = session.info["routing_commands"] = []
            event.listen(session, "after_commit", self._flush_pending, once=True)
            event.listen(session, "after_rollback", _drop_pending, once=True)
        pending.append(command)

    def _flush_pending(self, session: Session) -> None:
        commands: list[ev.Event] = session.info.pop("routing_commands", [])
        submitted = [c.task_id for c in commands if isinstance(c, ev.TaskSubmitted)]
        for hook in _SUBMISSION_HOOKS if submitted else ():
            try:
                hook(session, self._redis, submitted)
            except Exception:  # a hook is an optimisation; the tasks must still be sent
                log.exception("after-submission hook %r failed for %s", hook, submitted)
        for command in commands:
            self.commands.send(command)

    def agent_changed(self, agent: Agent) -> None:
        self.commands.send(
            ev.AgentUpdated(
                str(agent.id),
                skills=agent.skill_levels(),
                attributes=dict(agent.attributes),
                capacity=CapacityProfile.from_dict(agent.capacity) if agent.capacity else None,
            )
        )

    def wrap_up_done(self, agent_id: int, task_id: str) -> None:
        self.commands.send(ev.WrapUpEnded(str(agent_id), task_id))

    def config_changed(self, session: Session) -> None:
        """Send the router the queues and plans as they are now in SQL."""
        session.flush()
        self.send_after_commit(session, ev.ConfigChanged(load_routing_config(session)))


def _drop_pending(session: Session) -> None:
    session.info.pop("routing_commands", None)
