"""Tests for ivr.menus: DTMF and spoken choices, reprompts, and the no-input/invalid branches."""

from __future__ import annotations

from ivr import Digits, Gather, NoInput, Speech

from .fakes import OPEN_TIME, call, inline_engine, says

MENU = {
    "type": "menu",
    "prompt": {"en": "Press 1 for sales.", "es": "Pulse 1 para ventas."},
    "options": [
        {"key": 1, "keywords": {"en": ["sales"], "es": ["ventas"]}, "next": "sales"},
        {"key": 2, "keywords": {"en": ["support", "help"], "es": ["soporte"]}, "next": "help"},
    ],
    "max_attempts": 2,
    "no_input": "silent",
    "invalid": "confused",
}
NODES = {
    "menu": MENU,
    "sales": {"type": "hangup", "prompt": "sales"},
    "help": {"type": "hangup", "prompt": "help"},
    "silent": {"type": "hangup", "prompt": "silent"},
    "confused": {"type": "hangup", "prompt": "confused"},
}


def _start():
    engine = inline_engine(NODES)
    return engine, engine.start(call())


def test_menu_waits_with_a_gather_of_its_options() -> None:
    """Entering a menu gathers one key or a keyword, with the options as choices and hints."""
    _, step = _start()
    gather = step.gather
    assert isinstance(gather, Gather)
    assert (gather.node_id, gather.kind, gather.num_digits) == ("menu", "both", 1)
    assert [(c.key, c.label) for c in gather.choices] == [("1", "sales"), ("2", "support")]
    assert gather.hints == ("sales", "support", "help")
    assert not step.finished


def test_dtmf_key_chooses_its_option() -> None:
    """Pressing an option's key follows its branch."""
    engine, step = _start()
    step = engine.advance(step.state, Digits("2"), OPEN_TIME)
    assert says(step) == ["help"]
    assert step.path[-2].node == "menu" and step.path[-2].input == "dtmf:2"


def test_spoken_keyword_chooses_its_option() -> None:
    """Saying a keyword anywhere in the utterance follows that option, ignoring case."""
    engine, step = _start()
    step = engine.advance(step.state, Speech("I need some HELP please", 0.8), OPEN_TIME)
    assert says(step) == ["help"]


def test_keyword_matching_ignores_accents() -> None:
    """A recogniser that drops accents still matches accented keywords."""
    nodes = {
        **NODES,
        "menu": {**MENU, "options": [{"key": 1, "keywords": {"es": ["sí"]}, "next": "sales"}]},
    }
    engine = inline_engine({k: v for k, v in nodes.items() if k != "help"})
    step = engine.start(call())
    assert says(engine.advance(step.state, Speech("si", 0.9), OPEN_TIME)) == ["sales"]


def test_low_confidence_speech_counts_as_invalid() -> None:
    """Speech below the flow's minimum confidence is treated as not understood."""
    engine, step = _start()
    step = engine.advance(step.state, Speech("sales", 0.1), OPEN_TIME)
    assert step.gather is not None
    assert says(step)[0] == "Sorry, that is not a valid option."


def test_no_input_reprompts_then_takes_no_input_branch() -> None:
    """Silence reprompts with an apology until max_attempts, then takes the no_input branch."""
    engine, step = _start()
    step = engine.advance(step.state, NoInput(), OPEN_TIME)
    assert says(step) == ["Sorry, I did not hear anything.", "Press 1 for sales."]
    step = engine.advance(step.state, NoInput(), OPEN_TIME)
    assert says(step) == ["silent"]
    assert [p.outcome for p in step.path if p.node == "menu"] == [
        "no_input, reprompt 2",
        "no_input -> silent",
    ]


def test_invalid_key_reprompts_then_takes_invalid_branch() -> None:
    """A wrong key reprompts until max_attempts, then takes the invalid branch."""
    engine, step = _start()
    step = engine.advance(step.state, Digits("7"), OPEN_TIME)
    assert step.gather is not None
    step = engine.advance(step.state, Digits("8"), OPEN_TIME)
    assert says(step) == ["confused"]


def test_attempts_count_both_kinds_of_failure() -> None:
    """Silence then a wrong key use up the same attempts budget."""
    engine, step = _start()
    step = engine.advance(step.state, NoInput(), OPEN_TIME)
    step = engine.advance(step.state, Digits("5"), OPEN_TIME)
    assert says(step) == ["confused"]


def test_custom_reprompt_messages_are_used() -> None:
    """A node's own invalid_prompt replaces the flow's default apology."""
    nodes = {**NODES, "menu": {**MENU, "invalid_prompt": {"en": "Nope.", "es": "No."}}}
    engine = inline_engine(nodes)
    step = engine.advance(engine.start(call()).state, Digits("9"), OPEN_TIME)
    assert says(step)[0] == "Nope."


def test_option_sets_attributes_such_as_language() -> None:
    """An option's `set` changes session attributes; the language drives later prompts."""
    menu = {**MENU, "options": [{"key": 2, "set": {"language": "es"}, "next": "after"}]}
    after = {"type": "hangup", "prompt": {"en": "Bye", "es": "Adiós"}}
    engine = inline_engine(
        {"menu": menu, "after": after, "silent": NODES["silent"], "confused": NODES["confused"]}
    )
    step = engine.advance(engine.start(call()).state, Digits("2"), OPEN_TIME)
    assert says(step) == ["Adiós"]
    assert step.state["attributes"]["language"] == "es"


def test_multilingual_menu_speaks_every_language() -> None:
    """A multilingual menu (the language menu) speaks its prompt in each flow language."""
    engine = inline_engine({**NODES, "menu": {**MENU, "multilingual": True}})
    gather = engine.start(call()).gather
    assert gather is not None
    assert [(p.text, p.language) for p in gather.prompt] == [  # type: ignore[union-attr]
        ("Press 1 for sales.", "en"),
        ("Pulse 1 para ventas.", "es"),
    ]
