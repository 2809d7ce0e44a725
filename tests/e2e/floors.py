"""What the browser tests share besides fixtures: the demo floor taking calls, as the
voice_floor fixture gives it, and where the tests save the screenshots the docs show."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contactcentre.telephony.emulator import Emulator
from tests.integration.voice.calls import NUMBER

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class VoiceFloor:
    """The demo app served on `url`, with the emulator carrying its calls to `number`."""

    app: Any
    url: str
    emulator: Emulator
    number: str = NUMBER
