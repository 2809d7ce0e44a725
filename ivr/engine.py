"""The pure IVR engine: start a call at the flow's first node, then advance it with each answer.
No clock, no I/O but the ports; the state between webhooks is a JSON-serialisable dict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ivr import nodes as n
from ivr.actions import Action, Gather
from ivr.booking import answer_booking, enter_booking
from ivr.collect import answer_collect, enter_collect
from ivr.decisions import (
    run_branch,
    run_hours,
    run_identify,
    run_play,
    run_say,
    run_self_service,
    run_set,
)
from ivr.endings import run_callback, run_enqueue, run_hangup, run_transfer, run_voicemail
from ivr.errors import FlowRuntimeError, SessionStateError
from ivr.inputs import CallerHangup, CallerInput, SessionInputs
from ivr.menus import answer_menu, enter_menu
from ivr.orders import run_order_status
from ivr.session import CallSession, JsonDict, PathEntry
from ivr.turn import Ports, Transition, Turn

#: Nodes passed without waiting for the caller before the engine gives up (a runtime loop).
MAX_HOPS = 200

_ENTER: dict[type[Any], Callable[[Turn, Any], Transition]] = {
    n.SayNode: run_say,
    n.PlayNode: run_play,
    n.MenuNode: enter_menu,
    n.CollectNode: enter_collect,
    n.HoursNode: run_hours,
    n.IdentifyNode: run_identify,
    n.BranchNode: run_branch,
    n.SetNode: run_set,
    n.SelfServiceNode: run_self_service,
    n.OrderStatusNode: run_order_status,
    n.BookCallbackNode: enter_booking,
    n.EnqueueNode: run_enqueue,
    n.VoicemailNode: run_voicemail,
    n.CallbackNode: run_callback,
    n.TransferNode: run_transfer,
    n.HangupNode: run_hangup,
}

_ANSWER: dict[type[Any], Callable[[Turn, Any, CallerInput], Transition]] = {
    n.MenuNode: answer_menu,
    n.CollectNode: answer_collect,
    n.BookCallbackNode: answer_booking,
}


@dataclass(frozen=True)
class Step:
    """What to do now (`actions`), the state to store until the next webhook, and the IVR path."""

    actions: tuple[Action, ...]
    state: JsonDict
    path: tuple[PathEntry, ...]
    finished: bool

    @property
    def gather(self) -> Gather | None:
        """The question the caller is being asked, if the IVR is waiting for an answer."""
        last = self.actions[-1] if self.actions else None
        return last if isinstance(last, Gather) else None


class FlowEngine:
    """Runs one validated Flow; safe to share between calls (it holds no call state)."""

    def __init__(self, flow: n.Flow, ports: Ports) -> None:
        self.flow = flow
        self.ports = ports

    def start(self, inputs: SessionInputs) -> Step:
        """Answer a new contact: run from the start node until the caller must answer or it ends."""
        language = inputs.language if inputs.language in self.flow.languages else None
        session = CallSession(
            flow_id=self.flow.id,
            caller_number=inputs.caller_number,
            channel=inputs.channel,
            attributes={**inputs.attributes, "language": language or self.flow.default_language},
        )
        turn = Turn(self.flow, self.ports, session, inputs.now)
        return self._run(turn, self.flow.start, [])

    def advance(self, state: JsonDict, answer: CallerInput, now: datetime) -> Step:
        """Apply the caller's answer to the node the state is waiting at."""
        if now.tzinfo is None:
            raise ValueError("FlowEngine.advance needs a timezone-aware `now`")
        session = CallSession.from_state(state)
        if session.flow_id != self.flow.id:
            raise SessionStateError(
                f"state belongs to flow '{session.flow_id}', not '{self.flow.id}'"
            )
        if session.finished or session.waiting_at is None:
            raise SessionStateError("the IVR has already finished with this contact")
        node = self.flow.nodes.get(session.waiting_at)
        answer_node = _ANSWER.get(type(node))
        if node is None or answer_node is None:
            raise SessionStateError(
                f"flow '{self.flow.id}' has no input node '{session.waiting_at}'"
            )
        turn = Turn(self.flow, self.ports, session, now)
        if isinstance(answer, CallerHangup):
            session.visit(node.id, answer.describe(), "caller hung up")
            return self._finish(turn, [])
        transition = answer_node(turn, node, answer)
        if transition.wait:
            return self._step(turn, transition.actions)
        assert transition.goto is not None  # answer handlers never end a call themselves
        return self._run(turn, transition.goto, list(transition.actions))

    def _run(self, turn: Turn, node_id: str, actions: list[Action]) -> Step:
        for _ in range(MAX_HOPS):
            node = self.flow.nodes[node_id]
            transition = _ENTER[type(node)](turn, node)
            actions.extend(transition.actions)
            if transition.wait:
                turn.session.waiting_at = node.id
                return self._step(turn, actions)
            if transition.end:
                return self._finish(turn, actions)
            assert transition.goto is not None
            node_id = transition.goto
        raise FlowRuntimeError(
            f"flow '{self.flow.id}' passed {MAX_HOPS} nodes without asking the caller "
            f"(last: '{node_id}'); check branch and set nodes for a loop"
        )

    def _finish(self, turn: Turn, actions: list[Action]) -> Step:
        turn.session.finished = True
        turn.session.waiting_at = None
        return self._step(turn, actions)

    @staticmethod
    def _step(turn: Turn, actions: list[Action]) -> Step:
        session = turn.session
        return Step(tuple(actions), session.to_state(), tuple(session.path), session.finished)
