"""A local Twilio: calls the app's webhooks (signed), runs its TwiML, serves Twilio's REST API.

Start with `Emulator` (see docs/emulator.md); point the real SDK at it with `emulator_client`.
"""

from __future__ import annotations

from .call import Call, CallStatus, Direction, TranscriptEntry
from .calllog import CallLog, LogEntry
from .carrier import Carrier, NumberConfig
from .conference import Conference, Participant
from .exceptions import EmulatorError, RestError, TwimlError, WaitTimeout
from .parties import AgentScript, Answer, AnswerMode, Callee, CallerScript, Line, Party
from .rest import create_rest_app
from .rest_delays import HeldRequest, RestDelay
from .sdk import EmulatorHttpClient, emulator_client
from .server import Emulator, ServerThread
from .traffic import TrafficGenerator, TrafficMix
from .webhooks import WebhookPolicy

__all__ = [
    "AgentScript",
    "Answer",
    "AnswerMode",
    "Call",
    "CallLog",
    "CallStatus",
    "Callee",
    "CallerScript",
    "Carrier",
    "Conference",
    "Direction",
    "Emulator",
    "EmulatorError",
    "EmulatorHttpClient",
    "HeldRequest",
    "Line",
    "LogEntry",
    "NumberConfig",
    "Participant",
    "Party",
    "RestDelay",
    "RestError",
    "ServerThread",
    "TrafficGenerator",
    "TrafficMix",
    "TranscriptEntry",
    "TwimlError",
    "WaitTimeout",
    "WebhookPolicy",
    "create_rest_app",
    "emulator_client",
]
