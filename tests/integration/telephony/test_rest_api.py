"""The REST API through the real twilio SDK: outbound calls, AMD, call control, errors, auth."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

from contactcentre.telephony.emulator import Callee, emulator_client

from .account import NUMBER

CALLEE = "+14155550123"


def _say(text: str) -> str:
    return f"<Response><Say>{text}</Say></Response>"


@pytest.mark.parametrize(
    ("mode", "detection", "answered_by"),
    [
        ("machine", "Enable", "machine_start"),
        ("machine", "DetectMessageEnd", "machine_end_beep"),
        ("human", "Enable", "human"),
    ],
)
def test_outbound_call_with_machine_detection_reports_answered_by(
    emulator, app_under_test, mode, detection, answered_by
):
    """Synchronous AMD requests the Url only after detection, with AnsweredBy set."""
    app_under_test.route("/outbound", lambda p: _say("This is Acme calling."))
    emulator.register_party(CALLEE, Callee(mode))
    client = emulator_client(emulator)
    call = client.calls.create(
        to=CALLEE, from_=NUMBER, url=app_under_test.url("/outbound"), machine_detection=detection
    )
    assert call.sid.startswith("CA") and call.status == "queued"
    assert call.direction == "outbound-api"
    answered = app_under_test.wait_for("/outbound")
    assert answered.params["AnsweredBy"] == answered_by
    assert answered.params["CallStatus"] == "in-progress"
    emulator.call(call.sid).wait_until_over()
    fetched = client.calls(call.sid).fetch()
    assert fetched.answered_by == answered_by and fetched.status == "completed"


def test_async_machine_detection_posts_the_verdict_separately(emulator, app_under_test):
    """With AsyncAmd the Url is requested at once; the verdict goes to AsyncAmdStatusCallback."""
    app_under_test.route("/outbound", lambda p: '<Response><Pause length="10"/></Response>')
    emulator.register_party(CALLEE, Callee("machine"))
    call = emulator_client(emulator).calls.create(
        to=CALLEE,
        from_=NUMBER,
        url=app_under_test.url("/outbound"),
        machine_detection="Enable",
        async_amd="true",
        async_amd_status_callback=app_under_test.url("/amd"),
    )
    first = app_under_test.wait_for("/outbound")
    assert "AnsweredBy" not in first.params
    verdict = app_under_test.wait_for("/amd")
    assert verdict.params["AnsweredBy"] == "machine_start"
    assert verdict.params["CallSid"] == call.sid
    assert int(verdict.params["MachineDetectionDuration"]) > 0


@pytest.mark.parametrize(
    ("mode", "status"), [("busy", "busy"), ("no-answer", "no-answer"), ("fail", "failed")]
)
def test_unanswered_outbound_calls_end_with_their_status(emulator, app_under_test, mode, status):
    """Busy, unanswered and failed callees never reach the Url; the status callback says why."""
    emulator.register_party(CALLEE, Callee(mode))
    client = emulator_client(emulator)
    call = client.calls.create(
        to=CALLEE,
        from_=NUMBER,
        url=app_under_test.url("/outbound"),
        timeout=15,
        status_callback=app_under_test.url("/call-status"),
        status_callback_event=["initiated", "ringing", "answered", "completed"],
    )
    assert emulator.call(call.sid).wait_until_over() == status
    final = app_under_test.wait_for("/call-status", lambda r: r.params["CallStatus"] == status)
    assert final.params["CallDuration"] == "0"
    assert final.params["CallbackSource"] == "call-progress-events"
    assert not app_under_test.requests("/outbound")
    assert client.calls(call.sid).fetch().status == status


def test_updating_a_live_call_redirects_it_and_completing_it_hangs_up(emulator, app_under_test):
    """Calls update with Url replaces the running TwiML; Status=completed ends the call."""
    app_under_test.route("/outbound", lambda p: '<Response><Pause length="600"/></Response>')
    app_under_test.route("/new", lambda p: _say("You were redirected."))
    client = emulator_client(emulator)
    call = client.calls.create(to=CALLEE, from_=NUMBER, url=app_under_test.url("/outbound"))
    live = emulator.call(call.sid)
    live.wait_for(lambda c: "pause" in c.kinds())
    updated = client.calls(call.sid).update(url=app_under_test.url("/new"))
    assert updated.sid == call.sid
    live.wait_for(lambda c: c.heard("redirected"))
    assert live.wait_until_over() == "completed"

    second = client.calls.create(
        to=CALLEE, from_=NUMBER, twiml='<Response><Pause length="600"/></Response>'
    )
    emulator.call(second.sid).wait_for(lambda c: "pause" in c.kinds())
    client.calls(second.sid).update(status="completed")
    assert emulator.call(second.sid).wait_until_over() == "completed"
    with pytest.raises(TwilioRestException) as error:
        client.calls(second.sid).update(url=app_under_test.url("/new"))
    assert error.value.code == 21220 and error.value.status == 400

    listed = client.calls.list(to=CALLEE)
    assert {c.sid for c in listed} == {call.sid, second.sid}


def test_rest_errors_use_twilio_error_json(emulator):
    """Unknown resources, missing parameters and bad credentials answer with code and status."""
    client = emulator_client(emulator)
    with pytest.raises(TwilioRestException) as missing:
        client.calls("CA" + "f" * 32).fetch()
    assert missing.value.status == 404 and missing.value.code == 20404
    with pytest.raises(TwilioRestException) as no_to:
        client.calls.create(to="", from_=NUMBER, url="http://127.0.0.1/x")
    assert no_to.value.code == 21201
    emulator.carrier.auth_token, real = "wrong", emulator.carrier.auth_token
    try:
        with pytest.raises(TwilioRestException) as denied:
            client.calls("CA" + "f" * 32).fetch()
    finally:
        emulator.carrier.auth_token = real
    assert denied.value.status == 401 and denied.value.code == 20003


def test_api_key_credentials_are_accepted(emulator, app_under_test):
    """An API key sid/secret pair authenticates like the account's auth token."""
    client = emulator_client(emulator, api_key=("SK" + "a" * 32, "key-secret"))
    assert client.calls.list() == []
