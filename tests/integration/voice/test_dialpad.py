"""The emulator's browser dial pad places a real call into the app's IVR and shows its prompts."""

from __future__ import annotations

from typing import Any

import requests

from tests.integration.realtime.live import eventually


def test_dial_pad_calls_the_ivr_and_shows_the_prompts(voice_app: Any, emulator: Any) -> None:
    """Call from the page, see the welcome, press 1 for English, reach the main menu."""
    base = emulator.base_url
    page = requests.get(base + "/dialpad", timeout=5)
    assert page.status_code == 200 and "Keypad" in page.text
    sid = requests.post(base + "/dialpad/calls", json={"from": "+14155550100"}, timeout=5).json()[
        "sid"
    ]

    def said(fragment: str) -> bool:
        state = requests.get(f"{base}/dialpad/calls/{sid}", timeout=5).json()
        return any(fragment in e["text"] for e in state["transcript"] if e["speaker"] == "app")

    eventually(lambda: said("Thank you for calling Acme"), timeout=10)
    eventually(
        lambda: "dtmf" in requests.get(f"{base}/dialpad/calls/{sid}", timeout=5).json()["listening"]
    )
    pressed = requests.post(f"{base}/dialpad/calls/{sid}/keys", json={"digits": "1"}, timeout=5)
    assert pressed.json()["heard"] is True
    eventually(lambda: said("For billing, press 1"), timeout=10)
    requests.post(f"{base}/dialpad/calls/{sid}/hangup", timeout=5)
    emulator.call(sid).wait_until_over(timeout=10)
