"""The router's decisions as the chat customer sees them: waiting, "Alex joined", back in the
queue when the agent's console is gone, "leave a message" when the plan gives up.

Its own consumer group on the router's outbox; redelivery-safe because every notice it posts
carries a client id derived from the decision, and post_message returns the stored one.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy import select

from contactcentre.chat.conversations import OPEN_STATUSES, chat_service
from contactcentre.chat.messages import Author, deliver, post_message
from contactcentre.platform.runtime import Runtime
from contactcentre.realtime.rooms import chat_room, interaction_room
from contactcentre.router.client import RoutingClient
from contactcentre.store.models import Agent, ChatConversation
from routing.effects import AgentStateChanged, TaskAssigned, TaskEnded, TaskExited, TaskQueued
from routing.outbox import Delivery

log = logging.getLogger(__name__)
CHAT_GROUP = "chat"  # consumer group on the router's outbox
AGENT_CHATS = "cc:chat:agent:"  # + agent id -> set of interaction ids of chats they hold
HOLDER = "cc:chat:holder"  # hash: interaction id -> the agent holding it (the sets' inverse)
ROUTED = (TaskQueued, TaskAssigned, TaskExited, TaskEnded)  # decisions a chat reacts to


class ChatSink:
    """An EffectSink for the router's outbox (consumer group "chat")."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._routing = RoutingClient(runtime.redis)

    def deliver(self, entry_id: str, deliveries: list[Delivery]) -> None:
        task_ids = {d.effect.task_id for d in deliveries if isinstance(d.effect, ROUTED)}
        chats = self._conversations(task_ids) if task_ids else {}
        for delivery in deliveries:
            match delivery.effect:
                case AgentStateChanged(state="offline") as gone:
                    self._agent_gone(delivery.id, gone.agent_id)
                case TaskQueued() as queued if queued.task_id in chats:
                    self._release(queued.task_id)  # requeued or transferred: with nobody now
                    self._queued(chats[queued.task_id], queued)
                case TaskAssigned() as assigned if assigned.task_id in chats:
                    self._assigned(chats[assigned.task_id], assigned)
                case TaskExited() as exited if exited.task_id in chats:
                    self._exited(chats[exited.task_id], exited)
                case TaskEnded() as ended if ended.task_id in chats:
                    self._ended(chats[ended.task_id], ended)

    def _conversations(self, task_ids: set[str]) -> dict[str, str]:
        with self._runtime.db.session() as session:
            rows = session.execute(
                select(ChatConversation.interaction_id, ChatConversation.id).where(
                    ChatConversation.interaction_id.in_(task_ids)
                )
            )
            return {interaction_id: conversation_id for interaction_id, conversation_id in rows}

    def _queued(self, conversation_id: str, effect: TaskQueued) -> None:
        service = chat_service(self._runtime)
        with self._runtime.db.session() as session:
            conversation = session.get(ChatConversation, conversation_id)
            if conversation is None or conversation.status not in OPEN_STATUSES:
                return
            conversation.status = "queued"
            session.commit()
            data = service.status(session, conversation)
            if data["position"] is None:
                # The router refreshes positions and waits every second; until then, the
                # decision's own position (1-based) rather than none.
                data["position"] = effect.position
            service.emitter.emit_batch(
                [
                    (chat_room(conversation.id), "status", data),
                    (interaction_room(conversation.interaction_id), "chat_status", data),
                ]
            )

    def _assigned(self, conversation_id: str, effect: TaskAssigned) -> None:
        agent_id = effect.agent_id
        self._hold(effect.task_id, agent_id)
        service = chat_service(self._runtime)
        with self._runtime.db.session() as session:
            conversation = session.get(ChatConversation, conversation_id)
            if conversation is None or conversation.status not in OPEN_STATUSES:
                return
            agent = session.get(Agent, int(agent_id))
            name = agent.display_name if agent else "An agent"
            conversation.status = "active"
            posted = post_message(
                session,
                conversation,
                Author("system"),
                f"{name} joined the chat.",
                client_id=f"assigned:{effect.reservation_id}",
            )
            session.commit()
            deliver(service.emitter, conversation, posted)
            service.emit_status(session, conversation)

    def _exited(self, conversation_id: str, effect: TaskExited) -> None:
        service = chat_service(self._runtime)
        with self._runtime.db.session() as session:
            conversation = session.get(ChatConversation, conversation_id)
            if conversation is None or conversation.status not in OPEN_STATUSES:
                return
            conversation.status = "bot"  # out of the ACD: the customer may leave a message
            session.commit()
        service.offer_leave_message(conversation_id, notice_id=f"exit:{effect.task_id}")

    def _ended(self, conversation_id: str, effect: TaskEnded) -> None:
        self._release(effect.task_id)
        if effect.outcome == "transferred_out":
            return
        with self._runtime.db.session() as session:
            conversation = session.get(ChatConversation, conversation_id)
            still_open = conversation is not None and conversation.status in (
                "queued",
                "active",
            )
        if still_open:
            # Ended by the agent's "complete" or a supervisor's cancel, not by the customer.
            chat_service(self._runtime).close(conversation_id, by="agent")

    def _hold(self, task_id: str, agent_id: str) -> None:
        """Record who holds the chat now (a transfer to an agent moves it from the last one)."""
        client = self._runtime.redis
        before: Any = client.hget(HOLDER, task_id)
        pipe = client.pipeline()
        if before is not None and before != agent_id:
            pipe.srem(AGENT_CHATS + before, task_id)
        pipe.hset(HOLDER, task_id, agent_id)
        pipe.sadd(AGENT_CHATS + agent_id, task_id)
        pipe.execute()

    def _release(self, task_id: str) -> None:
        client = self._runtime.redis
        before: Any = client.hget(HOLDER, task_id)
        if before is not None:
            pipe = client.pipeline()
            pipe.srem(AGENT_CHATS + before, task_id)
            pipe.hdel(HOLDER, task_id)
            pipe.execute()

    def _agent_gone(self, decision_id: str, agent_id: str) -> None:
        """An agent signed out (or their console gone past the grace period) while holding chats:
        the engine leaves assigned contacts with the agent, so each chat is requeued here with
        its conversation and history kept, and the customer is told.

        Redelivery-safe: the notice's client id comes from the decision, and a chat is released
        from the agent only after its requeue was sent.
        """
        client = self._runtime.redis
        held: Any = client.smembers(AGENT_CHATS + agent_id)
        if not held:
            return
        service = chat_service(self._runtime)
        with self._runtime.db.session() as session:
            agent = session.get(Agent, int(agent_id))
            name = agent.display_name if agent else "Your agent"
            for interaction_id in sorted(held):
                conversation = session.scalars(
                    select(ChatConversation).where(
                        ChatConversation.interaction_id == interaction_id
                    )
                ).first()
                if conversation is None or conversation.status not in ("active", "queued"):
                    self._release(interaction_id)
                    continue
                conversation.status = "queued"
                posted = post_message(
                    session,
                    conversation,
                    Author("system"),
                    f"{name} was disconnected; we are finding another agent for you.",
                    client_id="requeue:"
                    + hashlib.sha256(f"{decision_id}:{interaction_id}".encode()).hexdigest()[:48],
                )
                session.commit()
                deliver(service.emitter, conversation, posted)
                self._routing.requeue(interaction_id, "agent_disconnected")
                self._release(interaction_id)
                service.emit_status(session, conversation)
