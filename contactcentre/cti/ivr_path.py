"""The IVR path in words an agent reads at a glance ("Main menu → Billing → Verified by account
number"), from the engine's trace and the flow the caller went through: menus, choices, outcomes.

Described when the step is recorded, with the flow of that moment, so editing a flow later never
relabels the calls already made. Plumbing (greetings, attribute setting, branches) is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ivr import Flow, PathEntry
from ivr.nodes import (
    BookCallbackNode,
    CallbackNode,
    CollectNode,
    HangupNode,
    HoursNode,
    IdentifyNode,
    MenuNode,
    OrderStatusNode,
    SelfServiceNode,
    TransferNode,
    VoicemailNode,
)

HUNG_UP = "caller hung up"


def describe_path(path: Sequence[PathEntry], flow: Flow, language: str = "en") -> list[str]:
    """What the caller did, step by step, with repeats (reprompts) merged."""
    words: list[str] = []
    for entry in path:
        for step in _describe(entry, flow, language):
            if not words or words[-1] != step:
                words.append(step)
    return words


def _describe(entry: PathEntry, flow: Flow, language: str) -> list[str]:
    outcome = entry.outcome or ""
    node = flow.nodes.get(entry.node)
    if outcome == HUNG_UP:  # in a menu, say which (a reprompt may already have)
        return [_humanise(node.id), "Hung up"] if isinstance(node, MenuNode) else ["Hung up"]
    if node is None:  # a trace from another flow: its name is the best we have
        return [_humanise(entry.node)]
    describe = _BY_TYPE.get(type(node))
    return describe(node, outcome, language) if describe is not None else []


def _menu(node: MenuNode, outcome: str, language: str) -> list[str]:
    if "reprompt" in outcome:
        return [_humanise(node.id)]
    if outcome.startswith("option "):
        key = outcome.removeprefix("option ").split(" ->", 1)[0]
        option = next((o for o in node.options if o.key == key), None)
        return [_humanise(node.id), _option_label(option, key, language)]
    if outcome.startswith("no_input"):
        return [_humanise(node.id), "No choice made"]
    return [_humanise(node.id), "No valid choice"]


def _option_label(option: object, key: str, language: str) -> str:
    keywords = getattr(option, "keywords", None) or {}
    said = keywords.get(language) or next(iter(keywords.values()), ())
    return _capitalise(said[0]) if said else f"Pressed {key}"


def _collect(node: CollectNode, outcome: str, _language: str) -> list[str]:
    what = _humanise(node.attribute).lower()
    verifies = node.validate is not None
    if outcome.startswith("accepted"):
        return [f"Verified by {what}" if verifies else f"Entered {what}"]
    if "reprompt" in outcome:
        return []
    if outcome.startswith("no_input"):
        return [f"Gave no {what}"]
    return [f"Not verified by {what}" if verifies else f"No valid {what}"]


def _hours(_node: HoursNode, outcome: str, _language: str) -> list[str]:
    if outcome.startswith("closed"):
        return ["Called out of hours"]
    if outcome.startswith("holiday"):
        return ["Called on a holiday"]
    return []


def _identify(_node: IdentifyNode, outcome: str, _language: str) -> list[str]:
    return ["Recognised by phone number" if outcome.startswith("known") else "Number not on file"]


def _self_service(node: SelfServiceNode, outcome: str, _language: str) -> list[str]:
    what = _humanise(node.kind).lower()
    return [
        f"{_capitalise(what)} unavailable"
        if outcome.startswith("unavailable")
        else f"Heard their {what}"
    ]


def _order_status(_node: OrderStatusNode, outcome: str, _language: str) -> list[str]:
    return ["Heard an order's status" if outcome.startswith("read out") else "Order not found"]


def _booking(_node: BookCallbackNode, outcome: str, _language: str) -> list[str]:
    if outcome.startswith("booked"):
        return ["Booked a callback"]
    if outcome.startswith("no slots"):
        return ["No callback slot free"]
    return []


def _fixed(text: str) -> Callable[[object, str, str], list[str]]:
    return lambda _node, _outcome, _language: [text]


_BY_TYPE: dict[type, Callable[..., list[str]]] = {
    MenuNode: _menu,
    CollectNode: _collect,
    HoursNode: _hours,
    IdentifyNode: _identify,
    SelfServiceNode: _self_service,
    OrderStatusNode: _order_status,
    BookCallbackNode: _booking,
    VoicemailNode: _fixed("Left a voicemail"),
    CallbackNode: _fixed("Asked to be called back"),
    TransferNode: lambda node, _o, _l: [f"Transferred out ({_humanise(node.id).lower()})"],
    HangupNode: _fixed("Ended the call"),
}


def _humanise(name: str) -> str:
    return _capitalise(name.replace("_", " ").strip())


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
