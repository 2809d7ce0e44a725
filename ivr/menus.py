"""Menus: offer options by key and spoken keyword, match the caller's answer, and reprompt on
silence or a wrong answer up to the node's limit before taking its no-input/invalid branch."""

from __future__ import annotations

from typing import Literal

from ivr.actions import Choice, Gather, Prompt
from ivr.inputs import CallerInput, Digits, NoInput, Speech
from ivr.nodes import MenuNode, MenuOption, Retry
from ivr.prompts import normalise
from ivr.turn import Transition, Turn

Failure = Literal["no_input", "invalid"]


def retry_or_give_up(
    turn: Turn, node_id: str, retry: Retry, *, failure: Failure, heard: str, gather: Gather
) -> Transition:
    """Count a failed attempt: reprompt with an apology, or take the branch after the last one."""
    session = turn.session
    session.attempts += 1
    target = retry.no_input if failure == "no_input" else retry.invalid
    if session.attempts >= retry.max_attempts:
        session.visit(node_id, heard, f"{failure} -> {target}")
        session.attempts = 0
        return Transition(goto=target)
    session.visit(node_id, heard, f"{failure}, reprompt {session.attempts + 1}")
    custom = retry.no_input_prompt if failure == "no_input" else retry.invalid_prompt
    apology = turn.say(custom or turn.message(failure))
    return Transition([with_apology(gather, apology)], wait=True)


def with_apology(gather: Gather, apology: Prompt) -> Gather:
    return Gather(
        node_id=gather.node_id,
        kind=gather.kind,
        language=gather.language,
        prompt=(apology, *gather.prompt),
        num_digits=gather.num_digits,
        timeout=gather.timeout,
        finish_on_key=gather.finish_on_key,
        hints=gather.hints,
        choices=gather.choices,
    )


def menu_gather(turn: Turn, node: MenuNode) -> Gather:
    languages = turn.flow.languages if node.multilingual else (turn.language,)
    prompt = turn.say_all(node.prompt) if node.multilingual else [turn.say(node.prompt)]
    hints = [word for o in node.options for lang in languages for word in o.keywords.get(lang, ())]
    single_keys = all(len(o.key) == 1 for o in node.options)
    return Gather(
        node_id=node.id,
        kind=node.input,
        language=turn.language,
        prompt=tuple(prompt),
        num_digits=1 if single_keys else None,
        timeout=node.retry.timeout,
        hints=tuple(dict.fromkeys(hints)),
        choices=tuple(Choice(o.key, _label(o, languages)) for o in node.options),
    )


def _label(option: MenuOption, languages: tuple[str, ...]) -> str:
    # A language option is named in its own language ("Español"), whatever is spoken now.
    chosen = option.set.get("language")
    for lang in (str(chosen), *languages) if chosen else languages:
        words = option.keywords.get(lang)
        if words:
            return words[0]
    return option.key


def enter_menu(turn: Turn, node: MenuNode) -> Transition:
    turn.session.attempts = 0
    return Transition([menu_gather(turn, node)], wait=True)


def answer_menu(turn: Turn, node: MenuNode, answer: CallerInput) -> Transition:
    heard = answer.describe()
    gather = menu_gather(turn, node)
    if isinstance(answer, NoInput):
        return retry_or_give_up(
            turn, node.id, node.retry, failure="no_input", heard=heard, gather=gather
        )
    option = match_option(node.options, answer, turn.flow.min_confidence)
    if option is None:
        return retry_or_give_up(
            turn, node.id, node.retry, failure="invalid", heard=heard, gather=gather
        )
    session = turn.session
    session.visit(node.id, heard, f"option {option.key} -> {option.next}")
    session.attributes.update(option.set)
    session.attempts = 0
    return Transition(goto=option.next)


def match_option(
    options: tuple[MenuOption, ...], answer: CallerInput, min_confidence: float
) -> MenuOption | None:
    """The option the caller chose by key or keyword, or None if the answer matches none."""
    if isinstance(answer, Digits):
        return next((o for o in options if o.key == answer.digits), None)
    if not isinstance(answer, Speech) or answer.confidence < min_confidence:
        return None
    heard = f" {normalise(answer.text)} "
    if heard.strip() in {o.key for o in options}:
        return next(o for o in options if o.key == heard.strip())
    # Keywords of every language match: a caller may answer in either before choosing one.
    for option in options:
        for words in option.keywords.values():
            if any(f" {normalise(word)} " in heard for word in words):
                return option
    return None
