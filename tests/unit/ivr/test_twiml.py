"""Tests for ivr.twiml: TwiML from actions, checked by parsing the XML, never by string compare."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

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
from ivr.twiml import (
    TwimlRoutes,
    VoiceSettings,
    caller_input_from_webhook,
    enqueue_as_queue,
    enqueue_as_redirect,
    render_twiml,
)

from .fakes import call, main_engine

ROUTES = TwimlRoutes(gather_action=lambda node: f"/voice/ivr/{node}")


def parse(xml: str) -> ET.Element:
    root = ET.fromstring(xml)
    assert root.tag == "Response"
    return root


def test_say_maps_language_to_locale_and_default_voice() -> None:
    """Say gets a Twilio locale (es -> es-MX) and the language's default voice if none is set."""
    root = parse(render_twiml([Say("Hola", "es"), Say("Hi", "en", "Polly.Matthew")], ROUTES))
    says = root.findall("./Say")
    assert [(s.text, s.get("language"), s.get("voice")) for s in says] == [
        ("Hola", "es-MX", "Polly.Lupe"),
        ("Hi", "en-US", "Polly.Matthew"),
    ]


def test_locales_and_voices_are_configurable() -> None:
    """The web layer may choose es-ES and other voices."""
    settings = VoiceSettings(locales={"es": "es-ES"}, voices={"es": "Polly.Conchita"})
    say = parse(render_twiml([Say("Hola", "es")], ROUTES, settings)).find("./Say")
    assert say is not None
    assert (say.get("language"), say.get("voice")) == ("es-ES", "Polly.Conchita")


def test_gather_nests_prompts_and_posts_to_the_callers_url() -> None:
    """A Gather carries input, digits, timeout, hints and language, with prompts nested."""
    gather = Gather(
        node_id="main_menu",
        kind="both",
        language="en",
        prompt=(Say("Press 1", "en"), Play("https://example.test/menu.mp3")),
        num_digits=1,
        timeout=7,
        hints=("billing", "sales"),
        choices=(Choice("1", "billing"),),
    )
    element = parse(render_twiml([gather], ROUTES)).find("./Gather")
    assert element is not None
    assert element.attrib == {
        "action": "/voice/ivr/main_menu",
        "method": "POST",
        "input": "dtmf speech",
        "numDigits": "1",
        "timeout": "7",
        "finishOnKey": "#",
        "language": "en-US",
        "hints": "billing, sales",
        "speechTimeout": "auto",
        "actionOnEmptyResult": "true",
    }
    assert [child.tag for child in element] == ["Say", "Play"]
    assert element.findtext("./Play") == "https://example.test/menu.mp3"


def test_dtmf_only_gather_has_no_speech_attributes() -> None:
    """A keypad-only Gather leaves out hints and speechTimeout."""
    gather = Gather(node_id="pin", kind="dtmf", language="es", hints=("x",))
    element = parse(render_twiml([gather], ROUTES)).find("./Gather")
    assert element is not None
    assert element.get("input") == "dtmf"
    assert element.get("hints") is None and element.get("speechTimeout") is None


def test_enqueue_defaults_to_a_named_queue() -> None:
    """By default Enqueue parks the call in a queue named by the hint or the intent."""
    enqueue = Enqueue({"intent": "billing"}, priority=3)
    routes = TwimlRoutes(ROUTES.gather_action, enqueue=enqueue_as_queue(wait_url="/hold"))
    element = parse(render_twiml([enqueue], routes)).find("./Enqueue")
    assert element is not None
    assert (element.text, element.get("waitUrl")) == ("billing", "/hold")


def test_enqueue_can_redirect_to_the_web_layer() -> None:
    """The web layer may render Enqueue as a Redirect to its own routing webhook."""
    routes = TwimlRoutes(ROUTES.gather_action, enqueue=enqueue_as_redirect("/voice/enqueue"))
    root = parse(render_twiml([Say("Hold", "en"), Enqueue({"intent": "sales"})], routes))
    assert [child.tag for child in root] == ["Say", "Redirect"]
    assert root.findtext("./Redirect") == "/voice/enqueue"


def test_enqueue_renderer_is_a_callback_of_the_web_layer() -> None:
    """Any callback can render Enqueue, e.g. with TaskRouter task attributes."""

    def taskrouter(response, action):
        enqueue = response.enqueue(None, workflow_sid="WW123")
        enqueue.task(json.dumps(dict(action.attributes)), priority=action.priority)

    routes = TwimlRoutes(ROUTES.gather_action, enqueue=taskrouter)
    task = parse(render_twiml([Enqueue({"intent": "sales"}, priority=4)], routes)).find(
        "./Enqueue/Task"
    )
    assert task is not None and task.text is not None
    assert (json.loads(task.text), task.get("priority")) == ({"intent": "sales"}, "4")


def test_voicemail_renders_record_with_callbacks() -> None:
    """Voicemail becomes Record with length, beep, transcription and the caller's URLs."""
    routes = TwimlRoutes(ROUTES.gather_action, record_action="/vm", transcribe_callback="/vm/text")
    root = parse(render_twiml([Voicemail(max_length=90, transcribe=True), Hangup()], routes))
    record = root.find("./Record")
    assert record is not None
    assert record.get("maxLength") == "90" and record.get("playBeep") == "true"
    assert (record.get("action"), record.get("transcribeCallback")) == ("/vm", "/vm/text")
    assert root.find("./Hangup") is not None


def test_transfer_renders_dial_number_with_caller_id() -> None:
    """Transfer becomes Dial with a Number and the caller id."""
    root = parse(render_twiml([Transfer("+15550100", "+15550199")], ROUTES))
    assert root.find("./Dial").get("callerId") == "+15550199"  # type: ignore[union-attr]
    assert root.findtext("./Dial/Number") == "+15550100"


def test_callback_request_renders_nothing_for_twilio() -> None:
    """A callback request is for the app, not for Twilio: it adds no verb."""
    root = parse(render_twiml([RequestCallback("+1555"), Hangup()], ROUTES))
    assert [child.tag for child in root] == ["Hangup"]


def test_first_step_of_default_flow_renders() -> None:
    """The greeting step of the default flow renders as Say, Say, Gather with nested prompts."""
    engine, _, _, _ = main_engine()
    root = parse(render_twiml(engine.start(call()), ROUTES))
    assert [child.tag for child in root] == ["Say", "Say", "Gather"]
    assert root.find("./Gather").get("action") == "/voice/ivr/choose_language"  # type: ignore[union-attr]
    assert len(root.findall("./Gather/Say")) == 2


def test_webhook_parameters_become_caller_input() -> None:
    """Digits, SpeechResult with Confidence, or nothing map to the engine's inputs."""
    assert caller_input_from_webhook({"Digits": "2"}) == Digits("2")
    assert caller_input_from_webhook({"SpeechResult": "billing", "Confidence": "0.87"}) == Speech(
        "billing", 0.87
    )
    assert caller_input_from_webhook({"SpeechResult": "x", "Confidence": "junk"}) == Speech(
        "x", 0.0
    )
    assert caller_input_from_webhook({}) == NoInput()


@pytest.mark.parametrize(
    "digits", ["12a", "\u0661\u0662", "\uff11\uff12", "\u00b2", "\U0001f600", "1" * 65]
)
def test_keys_no_keypad_makes_are_an_answer_that_matches_nothing(digits: str) -> None:
    """Letters, non-ASCII digits, emoji or absurdly many keys: Digits(""), which no menu
    option or account matches, so the caller is asked again (never a ValueError)."""
    assert caller_input_from_webhook({"Digits": digits}) == Digits("")


@pytest.mark.parametrize(
    "confidence", ["nan", "inf", "-inf", "-1", "2", "1e999", "\u0660.\u0669", "0_5", ""]
)
def test_a_confidence_that_is_not_a_number_from_0_to_1_is_none(confidence: str) -> None:
    """NaN, infinities, out-of-range or non-ASCII numbers: the speech is not trusted."""
    params = {"SpeechResult": "billing", "Confidence": confidence}
    assert caller_input_from_webhook(params) == Speech("billing", 0.0)


def test_odd_speech_is_cleaned_and_overlong_speech_is_not_trusted() -> None:
    """Control characters a recogniser never writes become spaces; a transcript longer than
    any answer is cut and not trusted."""
    said = caller_input_from_webhook({"SpeechResult": "a\x00b", "Confidence": "0.9"})
    assert said == Speech("a b", 0.9)
    long = caller_input_from_webhook({"SpeechResult": "yes " * 2000, "Confidence": "0.9"})
    assert isinstance(long, Speech) and long.confidence == 0.0 and len(long.text) == 500
