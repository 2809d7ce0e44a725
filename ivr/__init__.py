"""The pure IVR flow engine: YAML flows in config/ivr/, validated, run call by call as actions.
Renderers turn the same actions into TwiML (ivr.twiml, imports twilio) and chat (ivr.text)."""

from ivr.actions import (
    Action,
    Choice,
    Enqueue,
    Gather,
    Hangup,
    Play,
    RequestCallback,
    Say,
    Transfer,
    Voicemail,
)
from ivr.customers import CustomerDirectory, CustomerSummary
from ivr.engine import FlowEngine, Step
from ivr.errors import FlowError, FlowRuntimeError, FlowValidationError, SessionStateError
from ivr.inputs import CallerHangup, CallerInput, Digits, NoInput, SessionInputs, Speech
from ivr.loader import check_flows, load_flow, load_flows, parse_flow_text
from ivr.nodes import Flow
from ivr.selfservice import (
    AccountService,
    Balance,
    CallbackScheduler,
    CallbackSlot,
    OrderStatus,
)
from ivr.session import PathEntry
from ivr.turn import Ports

__all__ = [
    "AccountService",
    "Action",
    "Balance",
    "CallbackScheduler",
    "CallbackSlot",
    "CallerHangup",
    "CallerInput",
    "Choice",
    "CustomerDirectory",
    "CustomerSummary",
    "Digits",
    "Enqueue",
    "Flow",
    "FlowEngine",
    "FlowError",
    "FlowRuntimeError",
    "FlowValidationError",
    "Gather",
    "Hangup",
    "NoInput",
    "OrderStatus",
    "PathEntry",
    "Play",
    "Ports",
    "RequestCallback",
    "Say",
    "SessionInputs",
    "SessionStateError",
    "Speech",
    "Step",
    "Transfer",
    "Voicemail",
    "check_flows",
    "load_flow",
    "load_flows",
    "parse_flow_text",
]
