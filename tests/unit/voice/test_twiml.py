"""contactcentre.voice.twiml: the voice channel's TwiML, read back as XML (never as strings)."""

from __future__ import annotations

import ast
from pathlib import Path
from xml.etree import ElementTree

from contactcentre.settings import PROJECT_ROOT
from contactcentre.voice import twiml

SEAT = twiml.ConferenceSeat("cc-1", "customer", ends_on_exit=True, events_url="https://x/conf")


def _xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)


def test_hang_up_says_each_sentence_first() -> None:
    """Sentences come in order, in their language's voice, and the call ends after them."""
    root = _xml(twiml.hang_up(twiml.Sentence("Goodbye", "en"), twiml.Sentence("Adiós", "es")))
    assert [child.tag for child in root] == ["Say", "Say", "Hangup"]
    assert [say.text for say in root.iter("Say")] == ["Goodbye", "Adiós"]
    assert root[1].get("language") == "es-MX"


def test_the_customers_seat_ends_the_conference_when_they_leave() -> None:
    """A customer joins labelled, ending the conference on exit, with every event reported."""
    root = _xml(twiml.join_conference(SEAT, twiml.Sentence("Connecting you", "en")))
    assert [child.tag for child in root] == ["Say", "Dial"]
    conference = root.find("Dial/Conference")
    assert conference is not None and conference.text == "cc-1"
    assert conference.get("endConferenceOnExit") == "true"
    assert conference.get("participantLabel") == "customer"
    assert conference.get("statusCallback") == "https://x/conf"
    assert set(conference.get("statusCallbackEvent", "").split()) == {
        "start",
        "end",
        "join",
        "leave",
        "mute",
        "hold",
    }


def test_an_agents_seat_leaves_the_call_running() -> None:
    """An agent leaving does not end the conference (a transfer brings the next one in)."""
    seat = twiml.ConferenceSeat("cc-1", "agent", ends_on_exit=False, events_url="https://x/c")
    conference = _xml(twiml.join_conference(seat)).find("Dial/Conference")
    assert conference is not None and conference.get("endConferenceOnExit") == "false"


def test_a_queue_round_listens_for_one_key_over_the_music_and_loops() -> None:
    """Announcements and music play inside one Gather of a single digit, then the round loops."""
    root = _xml(
        twiml.queue_round(
            key_url="https://x/key",
            announcements=[twiml.Sentence("You are number 2", "en")],
            music_url="https://x/music.mp3",
            next_round_url="https://x/wait",
        )
    )
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1" and gather.get("action")
    assert [child.tag for child in gather] == ["Say", "Play"]
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text == "https://x/wait"


def test_voicemail_records_after_the_prompt_and_ends() -> None:
    """Prompt, a beeped recording posted back with its limit, then the end of the call."""
    root = _xml(twiml.voicemail(twiml.Sentence("Leave a message", "en"), "https://x/rec", 120))
    assert [child.tag for child in root] == ["Say", "Record", "Hangup"]
    record = root.find("Record")
    assert record is not None and record.get("maxLength") == "120"
    assert record.get("playBeep") == "true" and record.get("action") == "https://x/rec"


def test_only_the_two_renderers_build_twiml() -> None:
    """No module but ivr/twiml.py and contactcentre/voice/twiml.py imports VoiceResponse."""
    allowed = {Path("ivr/twiml.py"), Path("contactcentre/voice/twiml.py")}
    builders = set()
    for package in ("contactcentre", "routing", "ivr", "agent_ui"):
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            if "emulator" in path.parts:
                continue  # the carrier's side reads TwiML; it builds none of ours
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = [a.name for a in getattr(node, "names", [])]
                if isinstance(node, ast.ImportFrom) and "VoiceResponse" in names:
                    builders.add(path.relative_to(PROJECT_ROOT))
    assert builders == allowed
