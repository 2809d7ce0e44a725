"""Tests for ivr.text: the chat rendering of actions and the mapping of typed replies."""

from __future__ import annotations

from ivr import (
    Choice,
    Digits,
    Enqueue,
    Gather,
    Hangup,
    NoInput,
    Play,
    RequestCallback,
    Say,
    Speech,
    Transfer,
    Voicemail,
)
from ivr.text import ChatMessage, QuickReply, parse_chat_reply, render_chat

from .fakes import OPEN_TIME, call, main_engine

MENU = Gather(
    node_id="main_menu",
    kind="both",
    language="es",
    prompt=(Say("Elija una opción.", "es"),),
    choices=(Choice("1", "factura"), Choice("2", "soporte")),
)


def test_menu_becomes_message_with_quick_replies() -> None:
    """A menu's options are quick replies labelled with key and keyword, sending the key."""
    assert render_chat([MENU]) == [
        ChatMessage(
            "Elija una opción.",
            (QuickReply("1 · Factura", "1"), QuickReply("2 · Soporte", "2")),
        )
    ]


def test_say_and_play_become_text_and_media() -> None:
    """Spoken text becomes a chat message and a recording a media message."""
    messages = render_chat([Say("Hello", "en"), Play("https://x/a.mp3")])
    assert messages == [ChatMessage("Hello"), ChatMessage("", media_url="https://x/a.mp3")]


def test_hand_offs_become_events_in_the_callers_language() -> None:
    """Enqueue, voicemail, transfer, callback and hang-up become localised event messages."""
    messages = render_chat(
        [
            Say("Hola", "es"),
            Enqueue({"intent": "sales"}),
            Voicemail(),
            Transfer("+15550100"),
            RequestCallback("+15550001"),
            Hangup(),
        ]
    )
    assert [m.event for m in messages[1:]] == [
        "enqueued",
        "voicemail",
        "transfer",
        "callback",
        "ended",
    ]
    assert messages[1].text == "Le estamos comunicando con un agente."
    assert messages[3].text == "Llámenos al +15550100."


def test_typed_key_becomes_digits() -> None:
    """Typing "2" (or tapping its quick reply) is the same as pressing 2."""
    assert parse_chat_reply(" 2 ", MENU) == Digits("2")
    assert parse_chat_reply("1234 5678", None) == Digits("12345678")


def test_typed_keyword_or_label_becomes_the_choice() -> None:
    """Typing a choice's keyword or its quick-reply label chooses it."""
    assert parse_chat_reply("Soporte", MENU) == Digits("2")
    assert parse_chat_reply("1 · Factura", MENU) == Digits("1")


def test_free_text_goes_to_keyword_matching_and_empty_is_no_input() -> None:
    """Other text is passed on like speech; an empty message counts as no input."""
    assert parse_chat_reply("quiero hablar de mi factura", MENU) == Speech(
        "quiero hablar de mi factura", 1.0
    )
    assert parse_chat_reply("   ", MENU) == NoInput()


def test_chat_walk_through_the_default_flow() -> None:
    """The same engine drives a chat: language by label, then a typed keyword to an agent."""
    engine, _, _, _ = main_engine()
    step = engine.start(call())
    assert step.gather is not None
    replies = render_chat(step)[-1].quick_replies
    assert [r.label for r in replies] == ["1 · English", "2 · Español"]
    step = engine.advance(step.state, parse_chat_reply("2 · Español", step.gather), OPEN_TIME)
    assert step.gather is not None
    step = engine.advance(step.state, parse_chat_reply("ventas", step.gather), OPEN_TIME)
    assert render_chat(step)[-1].event == "enqueued"
