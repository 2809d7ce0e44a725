"""Twilio webhooks: signatures on every one, retries change nothing, odd callbacks are answered."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from contactcentre.store.models import Interaction, InteractionEvent
from contactcentre.telephony.emulator import CallerScript, WebhookPolicy
from tests.integration.realtime.live import eventually
from tests.integration.voice.calls import (
    AUTH_TOKEN,
    CUSTOMER,
    NUMBER,
    event_types,
    interaction_for,
)

WEBHOOKS = [
    "/twilio/voice",
    "/twilio/ivr/main_menu?call=CA1&step=1",
    "/twilio/calls/x/queue",
    "/twilio/calls/x/queue-key",
    "/twilio/calls/x/exit/voicemail",
    "/twilio/calls/x/join",
    "/twilio/calls/x/agent-leg",
    "/twilio/calls/x/customer-leg",
    "/twilio/calls/x/voicemail",
    "/twilio/calls/x/transfer-done",
    "/twilio/status",
    "/twilio/conference-events",
    "/twilio/recording-status",
    "/twilio/amd",
    "/twilio/hold-music",
    "/twilio/consent",
]


def signed_post(app: Any, client: Any, path: str, params: dict[str, str], **headers: str) -> Any:
    url = app.extensions["contactcentre"].settings.public_base_url + path
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature, **headers})


def _call_params(call_sid: str = "CA" + "a" * 32, caller: str = CUSTOMER) -> dict[str, str]:
    return {
        "CallSid": call_sid,
        "AccountSid": "AC" + "1" * 32,
        "From": caller,
        "To": NUMBER,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }


def _count(app: Any, model: Any) -> int:
    with app.extensions["contactcentre"].db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("path", WEBHOOKS)
def test_missing_signature_is_refused(voice_app: Any, voice_client: Any, path: str) -> None:
    """A webhook without X-Twilio-Signature gets 403 and changes nothing."""
    response = voice_client.post(path, data=_call_params())
    assert response.status_code == 403
    assert _count(voice_app, Interaction) == 0


@pytest.mark.parametrize("path", WEBHOOKS)
def test_forged_signature_is_refused(voice_app: Any, voice_client: Any, path: str) -> None:
    """A signature made with another token, or over other parameters, gets 403."""
    url = voice_app.extensions["contactcentre"].settings.public_base_url + path
    params = _call_params()
    forged = RequestValidator("not-the-token").compute_signature(url, params)
    assert (
        voice_client.post(path, data=params, headers={"X-Twilio-Signature": forged}).status_code
        == 403
    )
    genuine = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    tampered = {**params, "From": "+15550000000"}
    response = voice_client.post(path, data=tampered, headers={"X-Twilio-Signature": genuine})
    assert response.status_code == 403


def test_a_retried_incoming_call_creates_one_interaction(voice_app: Any, voice_client: Any) -> None:
    """Twilio re-sending the incoming-call webhook gets the same TwiML and creates nothing new."""
    params = _call_params()
    token = {"I-Twilio-Idempotency-Token": "retry-token-1"}
    first = signed_post(voice_app, voice_client, "/twilio/voice", params, **token)
    again = signed_post(voice_app, voice_client, "/twilio/voice", params, **token)
    assert first.status_code == again.status_code == 200
    assert first.get_data() == again.get_data()
    assert _count(voice_app, Interaction) == 1
    events_before = _count(voice_app, InteractionEvent)
    # Without the token (or after the cache expired) the CallSid still finds the interaction.
    signed_post(voice_app, voice_client, "/twilio/voice", params)
    assert _count(voice_app, Interaction) == 1
    assert _count(voice_app, InteractionEvent) == events_before


def test_every_webhook_sent_twice_logs_each_step_once(
    voice_app: Any, emulator: Any, policy: WebhookPolicy
) -> None:
    """With Twilio duplicating every request, a call through the IVR logs each event once."""
    policy.duplicates = 1
    caller = CallerScript().wait_for_prompt("For English").press("1").wait_for_prompt("billing")
    call = emulator.place_call(CUSTOMER, NUMBER, caller.press("9"))
    call.wait_until_over(timeout=10)
    interaction = eventually(lambda: interaction_for(voice_app, call.sid))
    eventually(lambda: "completed" in event_types(voice_app, interaction.id))
    kinds = event_types(voice_app, interaction.id)
    assert kinds.count("created") == 1
    assert kinds.count("completed") == 1
    with voice_app.extensions["contactcentre"].db.session() as session:
        indexes = [
            e.data["index"]
            for e in session.scalars(
                select(InteractionEvent).where(
                    InteractionEvent.interaction_id == interaction.id,
                    InteractionEvent.type == "ivr_step",
                )
            )
        ]
    assert sorted(indexes) == list(range(len(indexes)))
    assert _count(voice_app, Interaction) == 1


@pytest.mark.parametrize(
    ("raw", "caller", "kind"),
    [
        ("anonymous", None, "anonymous"),
        ("+266696687", None, "anonymous"),
        ("client:alice", None, "client"),
        ("sip:+14155550123@pbx.example.com", "+14155550123", "sip"),
        ("(415) 555-0100", "+14155550100", "number"),
    ],
)
def test_caller_id_edge_cases_are_classified(
    voice_app: Any, voice_client: Any, raw: str, caller: str | None, kind: str
) -> None:
    """Withheld, client:, SIP and national-format caller IDs all answer with the IVR."""
    response = signed_post(voice_app, voice_client, "/twilio/voice", _call_params(caller=raw))
    assert response.status_code == 200
    root = ElementTree.fromstring(response.get_data())
    assert root.find("Gather") is not None
    with voice_app.extensions["contactcentre"].db.session() as session:
        interaction = session.scalars(select(Interaction)).one()
        assert interaction.attributes["caller"] == caller
        assert interaction.attributes["caller_kind"] == kind


@pytest.mark.parametrize(
    "path",
    ["/twilio/status", "/twilio/conference-events", "/twilio/recording-status", "/twilio/amd"],
)
def test_unknown_callbacks_are_answered(voice_app: Any, voice_client: Any, path: str) -> None:
    """Callbacks about calls we never saw are logged and answered 2xx, never an error."""
    params = {
        **_call_params("CA" + "f" * 32),
        "CallStatus": "completed",
        "StatusCallbackEvent": "participant-join",
        "ConferenceSid": "CF" + "0" * 32,
        "RecordingStatus": "completed",
        "AnsweredBy": "machine_start",
    }
    assert signed_post(voice_app, voice_client, path, params).status_code in (200, 204)


def test_stale_ivr_answer_gets_the_current_question(voice_app: Any, voice_client: Any) -> None:
    """An answer to an old step (a late retry) re-asks the current question and changes nothing."""
    params = _call_params()
    signed_post(voice_app, voice_client, "/twilio/voice", params)
    path = f"/twilio/ivr/choose_language?call={params['CallSid']}&step=7"
    response = signed_post(voice_app, voice_client, path, {**params, "Digits": "1"})
    assert response.status_code == 200
    assert ElementTree.fromstring(response.get_data()).find("Gather") is not None
