"""Every voice webhook route with a live call for it to act on, and requests signed exactly as
Twilio signs them: what the malformed-parameter table and the fuzz test send."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

from contactcentre.interactions.opening import open_interaction
from contactcentre.voice import call_state as cs
from tests.integration.voice.calls import ACCOUNT_SID, AUTH_TOKEN, CUSTOMER, NUMBER

PREFIX = "/twilio"
# Digits that are not ASCII: str.isdigit() says yes to each, int() takes the first two.
ARABIC_123 = "\u0661\u0662\u0663"  # Arabic-Indic one two three
FULLWIDTH_12 = "\uff11\uff12"  # fullwidth one two
SUPERSCRIPT_2 = "\u00b2"  # int() raises on it


def new_call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def call_params(call_sid: str, status: str = "in-progress") -> dict[str, str]:
    """The parameters Twilio sends with every request about a call."""
    return {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": status,
        "Called": NUMBER,
        "Caller": CUSTOMER,
        "Direction": "inbound",
        "From": CUSTOMER,
        "To": NUMBER,
        "CallerName": "GRACE HOPPER",
        "ParentCallSid": "CA" + "e" * 32,
    }


def signed_post(app: Any, client: Any, path: str, params: dict[str, str], **headers: str) -> Any:
    """POST `params` to `path` (with its query) signed as Twilio signs: over the full URL it
    requests and the sorted POST parameters, with the account's auth token."""
    url = app.extensions["contactcentre"].settings.public_base_url + path
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature, **headers})


def gather_path(twiml: bytes | str) -> str:
    """The path and query of the first Gather's action URL in `twiml`."""
    gather = ElementTree.fromstring(twiml).find(".//Gather")
    assert gather is not None, twiml
    parts = urlsplit(gather.attrib["action"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class Request:
    """One signed webhook to send: where, with what, and the node an IVR answer is for."""

    path: str
    params: dict[str, str]
    node: str = ""


def voice_rules(app: Any) -> set[str]:
    """Every URL rule Twilio may call, from the app's own url_map."""
    return {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX + "/")}


class Scene:
    """Builds, for one route at a time, a call in the state that route acts on: a fresh call at
    the IVR's first question, or a connected, dialled customer leg of an interaction."""

    def __init__(self, app: Any, client: Any) -> None:
        self.app, self.client = app, client
        self.voice = app.extensions["voice"]
        # Answer as in production: a view's exception is a 500 the carrier gets, counted by
        # the tests, rather than raised into them (TESTING propagates it).
        app.config["PROPAGATE_EXCEPTIONS"] = False

    def incoming(self) -> Request:
        return Request(PREFIX + "/voice", call_params(new_call_sid(), "ringing"))

    def ivr_question(self) -> Request:
        """A call answered by the IVR, and a valid answer (Digits 1) to its first question."""
        first = self.incoming()
        response = signed_post(self.app, self.client, first.path, first.params)
        assert response.status_code == 200, response.get_data(as_text=True)
        path = gather_path(response.get_data())
        node = urlsplit(path).path.rsplit("/", 1)[-1]
        return Request(path, {**first.params, "CallStatus": "in-progress", "Digits": "1"}, node)

    def dialled_leg(self) -> tuple[str, str]:
        """(interaction id, CallSid) of an outbound call whose customer leg is connected."""
        call_sid = new_call_sid()
        with self.app.extensions["contactcentre"].db.session() as session:
            interaction = open_interaction(
                session,
                channel="outbound",
                direction="outbound",
                status="dialing",
                external_id=call_sid,
                to_address=CUSTOMER,
                actor="test",
                at=self.voice.clock(),
            ).interaction
            iid = interaction.id
        self.voice.calls.put(
            cs.LiveCall(
                iid,
                phase=cs.CONNECTED,
                direction="outbound",
                customer_sid=call_sid,
                customer_number=CUSTOMER,
                conference=cs.conference_name(iid),
                routed=0,
            )
        )
        self.voice.calls.link_leg(call_sid, iid, "customer")
        return iid, call_sid

    def for_rule(self, rule: str) -> Request:
        return ROUTES[rule](self)


def _on_leg(path: str, extra: dict[str, str]) -> Callable[[Scene], Request]:
    def build(scene: Scene) -> Request:
        iid, call_sid = scene.dialled_leg()
        return Request(
            PREFIX + path.replace("<interaction_id>", iid), {**call_params(call_sid), **extra}
        )

    return build


RECORDING = {
    "RecordingSid": "RE" + "c" * 32,
    "RecordingUrl": "https://api.twilio.com/recordings/RE" + "c" * 32,
    "RecordingDuration": "12",
    "RecordingStatus": "completed",
}
MACHINE = {"AnsweredBy": "human", "MachineDetectionDuration": "2300"}

# One builder per rule: a test fails when a route is added without one (see voice_rules).
ROUTES: dict[str, Callable[[Scene], Request]] = {
    PREFIX + "/voice": Scene.incoming,
    PREFIX + "/ivr/<node>": Scene.ivr_question,
    PREFIX + "/calls/<interaction_id>/queue": _on_leg("/calls/<interaction_id>/queue", {}),
    PREFIX + "/calls/<interaction_id>/queue-key": _on_leg(
        "/calls/<interaction_id>/queue-key", {"Digits": "9"}
    ),
    PREFIX + "/calls/<interaction_id>/exit/<kind>": _on_leg(
        "/calls/<interaction_id>/exit/voicemail", {}
    ),
    PREFIX + "/calls/<interaction_id>/join": _on_leg("/calls/<interaction_id>/join", {}),
    PREFIX + "/calls/<interaction_id>/agent-leg": _on_leg("/calls/<interaction_id>/agent-leg", {}),
    PREFIX + "/calls/<interaction_id>/customer-leg": _on_leg(
        "/calls/<interaction_id>/customer-leg", MACHINE
    ),
    PREFIX + "/calls/<interaction_id>/voicemail": _on_leg(
        "/calls/<interaction_id>/voicemail", RECORDING
    ),
    PREFIX + "/calls/<interaction_id>/transfer-done": _on_leg(
        "/calls/<interaction_id>/transfer-done",
        {"DialCallStatus": "completed", "DialCallDuration": "31", "DialCallSid": new_call_sid()},
    ),
    PREFIX + "/status": _on_leg("/status", {"CallStatus": "completed", "CallDuration": "40"}),
    PREFIX + "/conference-events": _on_leg(
        "/conference-events",
        {
            "StatusCallbackEvent": "participant-hold",
            "ConferenceSid": "CF" + "d" * 32,
            "FriendlyName": "cc-conference",
            "ParticipantLabel": "customer",
            "SequenceNumber": "3",
        },
    ),
    PREFIX + "/recording-status": _on_leg("/recording-status", RECORDING),
    PREFIX + "/amd": _on_leg("/amd", MACHINE),
    PREFIX + "/hold-music": _on_leg("/hold-music", {}),
    PREFIX + "/consent": _on_leg("/consent", {}),
}

# Every parameter a voice webhook reads or stores, and the query parameters of our own URLs.
KNOWN_PARAMS = (
    "AccountSid",
    "CallSid",
    "ParentCallSid",
    "DialCallSid",
    "CallStatus",
    "Direction",
    "From",
    "To",
    "Caller",
    "Called",
    "CallerName",
    "CallDuration",
    "Digits",
    "SpeechResult",
    "Confidence",
    "RecordingSid",
    "RecordingUrl",
    "RecordingDuration",
    "RecordingStatus",
    "AnsweredBy",
    "MachineDetectionDuration",
    "StatusCallbackEvent",
    "ConferenceSid",
    "FriendlyName",
    "ParticipantLabel",
    "ReasonParticipantLeft",
    "SequenceNumber",
    "DialCallStatus",
    "DialCallDuration",
)
