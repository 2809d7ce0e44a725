"""The chat bot front: the IVR's flow engine run on a chat flow (config/chat/bot.yaml), its
actions rendered as chat messages with quick replies (ivr/text.py), its state in Redis between
the customer's messages. It decides; the chat service posts, routes and closes."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contactcentre.customers.self_service import customer_summary, ivr_ports
from contactcentre.platform.runtime import Runtime
from contactcentre.store.models import Customer
from ivr.actions import Enqueue, Hangup, RequestCallback, Transfer, Voicemail
from ivr.engine import FlowEngine, Step
from ivr.errors import FlowRuntimeError, SessionStateError
from ivr.inputs import SessionInputs
from ivr.loader import load_flow
from ivr.text import ChatMessage, parse_chat_reply, render_chat

log = logging.getLogger(__name__)
STATE = "cc:chat:bot:"  # + conversation id -> {"state": the engine's JSON state}
TTL_SECONDS = 24 * 3600
# Asking for a person always works, whatever the bot is asking ("agent", "a human please").
PERSON_WORDS = frozenset(
    {"agent", "human", "person", "operator", "representative", "agente", "humano", "persona"}
)


@dataclass(frozen=True)
class BotTurn:
    """What the bot says and decides after one customer message (or at the start)."""

    messages: list[ChatMessage]  # to post as author "bot", in order
    handover: dict[str, Any] | None  # routing attributes when the bot hands over to an agent
    leave_message: bool  # the flow ended in "leave a message" (voicemail, callback, transfer)
    ended: bool  # the bot closed the conversation (the customer said goodbye)


class ChatBot:
    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        # Validated once; a broken flow stops start-up like the voice flow does.
        self.flow = load_flow(runtime.settings.chat_bot_flow)

    def start(
        self,
        conversation_id: str,
        *,
        language: str,
        visitor_name: str | None,
        visitor_email: str | None,
        customer_id: int | None,
        topic: str | None,
    ) -> BotTurn:
        """Greet and ask the first question. `customer_id` is set when the pre-chat email matched
        a customer (`visitor_email` itself is not used: the flow asks what it needs)."""
        attributes: dict[str, Any] = {"topic": topic or "general", "known": False}
        try:
            with self._runtime.db.session() as session:
                customer = session.get(Customer, customer_id) if customer_id else None
                if customer is not None and customer.erased_at is None:
                    attributes.update(customer_summary(session, customer).attributes())
                # The visitor's own name greets them, not the record's (they typed it just now).
                attributes["customer_name"] = visitor_name or attributes.get("customer_name") or ""
                step = self._engine(session).start(
                    SessionInputs(
                        caller_number="",
                        now=datetime.now(UTC),
                        channel="chat",
                        language=language,
                        attributes=attributes,
                    )
                )
            return self._turn(conversation_id, step)
        except Exception:
            log.exception("chat bot could not start %s; handing over", conversation_id)
            return _hand_over({**attributes, "language": language}, [])

    def reply(self, conversation_id: str, text: str) -> BotTurn:
        """The customer's text (or a tapped quick reply's value) answers the bot's question.

        Never raises: with no bot session (expired, or already handed over) or any failure, a
        person takes the conversation.
        """
        state: dict[str, Any] = {}
        try:
            raw: Any = self._runtime.redis.get(STATE + conversation_id)
            if not raw:
                return _hand_over({}, [])
            state = json.loads(raw)["state"]
            if asks_for_person(text):
                return self._finish(conversation_id, _hand_over(_attributes(state), []))
            with self._runtime.db.session() as session:
                step = self._engine(session).advance(
                    state, parse_chat_reply(text, None), datetime.now(UTC)
                )
            return self._turn(conversation_id, step)
        except (SessionStateError, FlowRuntimeError) as exc:
            log.warning("chat bot of %s could not go on (%s); handing over", conversation_id, exc)
        except Exception:
            log.exception("chat bot of %s failed; handing over", conversation_id)
        # The state expires anyway; a Redis hiccup here must not keep the customer waiting.
        with contextlib.suppress(Exception):
            self._runtime.redis.delete(STATE + conversation_id)
        return _hand_over(_attributes(state), [])

    def active(self, conversation_id: str) -> bool:
        return bool(self._runtime.redis.exists(STATE + conversation_id))

    def _engine(self, session: Any) -> FlowEngine:
        ports = ivr_ports(session, self._runtime.redis, self._runtime.settings.default_phone_region)
        return FlowEngine(self.flow, ports)

    def _turn(self, conversation_id: str, step: Step) -> BotTurn:
        language = str(step.state["attributes"].get("language", "en"))
        messages = [m for m in render_chat(step, language) if m.event is None]
        for action in step.actions:
            if isinstance(action, Enqueue):
                turn = _hand_over({**step.state["attributes"], **action.attributes}, messages)
                if action.priority and turn.handover is not None:
                    turn.handover["bot_priority"] = action.priority
                return self._finish(conversation_id, turn)
            if isinstance(action, Voicemail | RequestCallback | Transfer):
                return self._finish(conversation_id, BotTurn(messages, None, True, False))
            if isinstance(action, Hangup):
                return self._finish(conversation_id, BotTurn(messages, None, False, True))
        if step.finished:
            return self._finish(conversation_id, BotTurn(messages, None, False, True))
        self._runtime.redis.set(
            STATE + conversation_id, json.dumps({"state": step.state}), ex=TTL_SECONDS
        )
        return BotTurn(messages, None, False, False)

    def _finish(self, conversation_id: str, turn: BotTurn) -> BotTurn:
        self._runtime.redis.delete(STATE + conversation_id)
        return turn


# What the bot learnt that routing and the agent's pop can use (no free text, no PII).
HANDOVER_KEYS = (
    "intent",
    "topic",
    "language",
    "customer_id",
    "segment",
    "verified",
    "known",
    "order_number",
)


def asks_for_person(text: str) -> bool:
    """A short message naming a person; an email address (person@...) or a long story is not."""
    if "@" in text:
        return False
    words = re.findall(r"\w+", text.casefold())
    return 0 < len(words) <= 8 and any(w.rstrip("s") in PERSON_WORDS for w in words)


def _attributes(state: Mapping[str, Any]) -> dict[str, Any]:
    found = state.get("attributes", {}) if isinstance(state, Mapping) else {}
    return _handover_keys(found if isinstance(found, Mapping) else {})


def _handover_keys(found: Mapping[str, Any]) -> dict[str, Any]:
    return {k: found[k] for k in HANDOVER_KEYS if k in found and found[k] not in (None, "")}


def _hand_over(attributes: Mapping[str, Any], messages: list[ChatMessage]) -> BotTurn:
    handover = _handover_keys(attributes)
    handover.setdefault("intent", handover.get("topic") or "general")
    return BotTurn(messages, handover, False, False)
