"""Terminal nodes: hand the contact to routing, take a voicemail, request a callback, transfer
to an outside number or hang up; each finishes the IVR part of the contact."""

from __future__ import annotations

from ivr.actions import Action, Enqueue, Hangup, RequestCallback, Transfer, Voicemail
from ivr.nodes import CallbackNode, EnqueueNode, HangupNode, TransferNode, VoicemailNode
from ivr.prompts import LocalizedText
from ivr.turn import Transition, Turn


def _spoken(turn: Turn, prompt: LocalizedText | None) -> list[Action]:
    return [] if prompt is None else [turn.say(prompt)]


def run_enqueue(turn: Turn, node: EnqueueNode) -> Transition:
    session = turn.session
    if node.intent is not None:
        session.attributes["intent"] = node.intent
    # The router reads intent, language, segment and the rest from these task attributes.
    attributes = {"intent": "general", "segment": "unknown", **session.attributes}
    attributes["channel"] = session.channel
    session.visit(node.id, None, f"enqueued intent={attributes['intent']}")
    enqueue = Enqueue(attributes, priority=session.priority, queue=node.queue)
    return Transition([*_spoken(turn, node.prompt), enqueue], end=True)


def run_voicemail(turn: Turn, node: VoicemailNode) -> Transition:
    turn.session.visit(node.id, None, "voicemail")
    record = Voicemail(max_length=node.max_length, transcribe=node.transcribe)
    return Transition([turn.say(node.prompt), record, Hangup()], end=True)


def run_callback(turn: Turn, node: CallbackNode) -> Transition:
    session = turn.session
    session.visit(node.id, None, "callback requested")
    attributes = {**session.attributes, "intent": session.attributes.get("intent", "callback")}
    request = RequestCallback(number=session.caller_number, attributes=attributes)
    return Transition([request, *_spoken(turn, node.prompt), Hangup()], end=True)


def run_transfer(turn: Turn, node: TransferNode) -> Transition:
    turn.session.visit(node.id, None, f"transfer -> {node.number}")
    transfer = Transfer(node.number, node.caller_id)
    return Transition([*_spoken(turn, node.prompt), transfer], end=True)


def run_hangup(turn: Turn, node: HangupNode) -> Transition:
    turn.session.visit(node.id, None, "hangup")
    return Transition([*_spoken(turn, node.prompt), Hangup()], end=True)
